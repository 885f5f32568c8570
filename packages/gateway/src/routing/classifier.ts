import type { CompiledBackend } from '../config/route-table.js';
import { firstOf } from './first-of.js';
import type { RankRequest, Strategy } from './strategy.js';

/** Where class probabilities come from: a native router, an ONNX model, or a Triton-served model. */
export interface ClassSource {
  readonly labels: readonly string[];
  classify(text: string): number[] | Promise<number[]>;
  close?(): void;
}

export interface ClassifierConfig {
  source: ClassSource;
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
export function classifierStrategy(backends: readonly CompiledBackend[], cfg: ClassifierConfig): Strategy {
  const first = firstOf(backends);
  const choose = (probs: readonly number[], request: RankRequest): CompiledBackend[] => {
    let best = 0;
    for (let i = 1; i < probs.length; i++) if ((probs[i] as number) > (probs[best] as number)) best = i;
    const label = cfg.source.labels[best] as string;
    const confidence = probs[best] ?? 0;
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
    return first(cfg.fallback);
  };
  return {
    name: 'classifier',
    rank(_random, request) {
      if (!request) return first(cfg.fallback);
      try {
        const probs = cfg.source.classify(request.prompt());
        if (Array.isArray(probs)) return choose(probs, request);
        return probs.then(
          (p) => choose(p, request),
          (err: unknown) => failed(err, request),
        );
      } catch (err) {
        return failed(err, request);
      }
    },
    close: () => cfg.source.close?.(),
  };
}
