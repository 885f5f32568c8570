import type { PlanScope } from '../../plan/compile.js';
import { durationOr, planBackend, type Routing } from '../build-context.js';
import type { BanditParams, RewardWeights } from './algorithms.js';

export interface BanditSettings {
  [key: string]: unknown;
  params: BanditParams;
  weights: RewardWeights;
  defaultQuality: number;
  contextual: boolean;
  contexts: { encoder: 'lexical' | 'sentence'; topK: number; clusters: { name: string; utterances: string[] }[] } | undefined;
  evaluator: { backend: string; sampleRate: number; timeoutMs: number } | undefined;
}

export function planBandit(routing: Routing | undefined, scope: PlanScope): BanditSettings | undefined {
  const cfg = routing?.bandit ?? {};
  const ev = cfg.evaluator;
  const evaluator = ev ? planBackend(scope, ev.backend, 'spec.routing.bandit.evaluator.backend') : undefined;
  if (ev && !evaluator) return undefined;
  if (evaluator && scope.backends.length < 2) {
    scope.problems.push({
      path: 'spec.routing.bandit',
      message: 'routing.bandit: besides the evaluator, at least one backend must serve requests',
    });
    return undefined;
  }
  return {
    params: {
      algorithm: cfg.algorithm ?? 'thompson',
      epsilon: cfg.epsilon ?? 0.1,
      exploration: cfg.exploration ?? 1,
      learningRate: cfg.learningRate ?? 0.1,
    },
    weights: { quality: cfg.weights?.quality ?? 1, cost: cfg.weights?.cost ?? 0, latency: cfg.weights?.latency ?? 0 },
    defaultQuality: cfg.defaultQuality ?? 0.5,
    contextual: cfg.contextual ?? false,
    contexts: cfg.contexts
      ? {
          encoder: cfg.contexts.encoder ?? 'lexical',
          topK: cfg.contexts.topK ?? 3,
          clusters: cfg.contexts.clusters.map((c) => ({ name: c.name, utterances: c.utterances })),
        }
      : undefined,
    evaluator:
      evaluator && ev
        ? {
            backend: evaluator,
            sampleRate: ev.sampleRate ?? 1,
            timeoutMs: durationOr(scope, 'spec.routing.bandit.evaluator.timeout', ev.timeout, 30_000),
          }
        : undefined,
  };
}
