import type { NativeRouter } from '@switchboard/native';
import type { CompiledBackend } from '../../table/backend.js';
import type { ExplainSink, RankRequest, Strategy } from '../../table/strategy.js';
import type { ClassSource } from '../build-context.js';
import { firstOf } from '../common/first-of.js';

export interface ClassifierConfig {
  /** The class probabilities: from a native label classifier (the request's one native call), or an outside model. */
  source: { router: NativeRouter; labels: readonly string[] } | ClassSource;
  /** Class -> backend; classes not listed go to `fallback`. */
  classes: ReadonlyMap<string, CompiledBackend>;
  fallback: CompiledBackend;
  minConfidence: number;
  onError?: (err: Error) => void;
}

/**
 * NVIDIA's LLM router blueprint: a classifier maps the prompt to a class
 * (task type, or complexity) and the route maps the class to a backend.
 * Low confidence, an unmapped class or a failing classifier send the
 * request to the default backend; the rest follow as failover.
 */
/** Every class with its probability and backend; each backend with the probability of its likeliest class. */
function explainClasses(ex: ExplainSink, cfg: ClassifierConfig, probs: readonly number[]): void {
  const classes = cfg.source.labels.map((label, i) => ({
    label,
    probability: probs[i] ?? 0,
    backend: (cfg.classes.get(label) ?? cfg.fallback).name,
  }));
  ex.note('classes', classes);
  ex.note('minConfidence', cfg.minConfidence);
  ex.note('default', cfg.fallback.name);
  const best = new Map<string, number>();
  for (const c of classes) best.set(c.backend, Math.max(best.get(c.backend) ?? 0, c.probability));
  for (const [name, probability] of best) ex.backend(name, { classProbability: probability });
}

export function classifierStrategy(backends: readonly CompiledBackend[], cfg: ClassifierConfig): Strategy {
  const first = firstOf(backends);
  const labels = cfg.source.labels;
  const choose = (probs: readonly number[], request: RankRequest): CompiledBackend[] => {
    let best = 0;
    for (let i = 1; i < probs.length; i++) if ((probs[i] as number) > (probs[best] as number)) best = i;
    const label = labels[best] as string;
    const confidence = probs[best] ?? 0;
    if (request.explain) explainClasses(request.explain, cfg, probs);
    request.score = confidence;
    request.context = label;
    if (confidence < cfg.minConfidence) {
      request.decision = `${label}:low-confidence`;
      return first(cfg.fallback);
    }
    request.decision = label;
    return first(cfg.classes.get(label) ?? cfg.fallback);
  };
  const failed = (err: unknown, request: RankRequest) => {
    cfg.onError?.(err as Error);
    request.decision = 'classifier-error';
    request.explain?.note('classifierError', (err as Error).message);
    return first(cfg.fallback);
  };
  const source = cfg.source;
  if ('router' in source) {
    return {
      name: 'classifier',
      router: { native: source.router, reads: 'outputs' },
      rank: (_random, request) => choose(request.routerOutputs(), request),
    };
  }
  return {
    name: 'classifier',
    asksModel: source.remote === true,
    rank(_random, request) {
      try {
        const probs = source.classify(request.prompt());
        if (Array.isArray(probs)) return choose(probs, request);
        return probs.then(
          (p) => choose(p, request),
          (err: unknown) => failed(err, request),
        );
      } catch (err) {
        return failed(err, request);
      }
    },
  };
}
