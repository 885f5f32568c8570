import type { CompiledBackend } from '../../config/route-table.js';
import { firstOf } from '../first-of.js';
import type { CallOutcome, Strategy } from '../strategy.js';
import { automatonUpdate, chooseArm, reward, type BanditParams, type RewardWeights } from './algorithms.js';
import type { FeedbackRecord, LearningStore } from './store.js';

export interface BanditConfig {
  routeId: string;
  params: BanditParams;
  weights: RewardWeights;
  defaultQuality: number;
  contextual: boolean;
  store: () => LearningStore;
}

/** Prompt-length context for contextual learners: short / medium / long prompts. */
function lengthBucket(tokens: number): string {
  return tokens < 200 ? 'short' : tokens < 2000 ? 'medium' : 'long';
}

/**
 * PickLLM: the backend is an arm; every answered request is a reward
 * (quality, cost, latency) and the policy (epsilon-greedy, UCB1, Thompson
 * sampling, or the learning automaton) picks the next arm. Answers count
 * with the default quality at once; POST /v1/feedback later replaces it by
 * the real score. The automaton, a reward-inaction scheme, learns from
 * feedback only (a default quality would reinforce whatever it picked).
 */
export function banditStrategy(backends: readonly CompiledBackend[], cfg: BanditConfig): Strategy {
  const first = firstOf(backends);
  const armOf = new Map(backends.map((b, i) => [b.name, i]));
  const key = (context: string) => `${cfg.routeId}|${context}`;
  return {
    name: 'bandit',
    rank(random, request) {
      let context = '';
      if (cfg.contextual && request) {
        const b = backends[0] as CompiledBackend;
        context = request.context ?? lengthBucket(request.promptTokens?.(b) ?? 0);
      }
      const state = cfg.store().state(key(context), backends.length);
      const arm = chooseArm(state, cfg.params, random);
      const backend = backends[arm] as CompiledBackend;
      if (request) {
        request.decision = backend.name;
        request.context = context;
      }
      return first(backend);
    },
    observe(outcome: CallOutcome) {
      const arm = armOf.get(outcome.backend);
      if (arm === undefined) return;
      const store = cfg.store();
      store.state(key(outcome.context), backends.length);
      const r = reward(cfg.weights, cfg.defaultQuality, outcome.cost, outcome.latencyMs / 1000);
      store.addReward(key(outcome.context), arm, r);
      store.remember({ ...outcome, routeId: cfg.routeId, reward: r });
    },
    feedback(outcome: CallOutcome, quality: number) {
      const arm = armOf.get(outcome.backend);
      if (arm === undefined) return;
      const store = cfg.store();
      const k = key(outcome.context);
      const state = store.state(k, backends.length);
      const before =
        (outcome as FeedbackRecord).reward ?? reward(cfg.weights, cfg.defaultQuality, outcome.cost, outcome.latencyMs / 1000);
      const after = reward(cfg.weights, quality, outcome.cost, outcome.latencyMs / 1000);
      store.correctReward(k, arm, before, after);
      if (cfg.params.algorithm === 'automaton') {
        // beta in [0, 1]: the reward in quality units.
        const beta = cfg.weights.quality > 0 ? after / cfg.weights.quality : 0;
        store.setProbs(k, automatonUpdate(state.probs, arm, beta, cfg.params.learningRate));
      }
    },
  };
}
