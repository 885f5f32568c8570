import type { NativeSemanticIndex } from '@switchboard/native';
import type { EmbeddingsClient } from '../../sources/embeddings.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RankRequest, Strategy } from '../../table/strategy.js';
import { firstOf } from '../common/first-of.js';

export interface SemanticRoute {
  name: string;
  backend: CompiledBackend;
  threshold: number;
}

export interface SemanticConfig {
  index: NativeSemanticIndex;
  routes: readonly SemanticRoute[];
  fallback: CompiledBackend;
  /** remote encoder: prompts are embedded here first. */
  embeddings?: EmbeddingsClient | undefined;
  onError?: (err: Error) => void;
}

/**
 * Semantic routes: the prompt goes to the route whose example utterances
 * it is most similar to (top-k mean, computed natively against vectors made
 * when the route was built), if that similarity reaches the route's
 * threshold; otherwise to the default backend.
 */
export function semanticStrategy(backends: readonly CompiledBackend[], cfg: SemanticConfig): Strategy {
  const first = firstOf(backends);
  const choose = (scores: readonly number[], request: RankRequest): CompiledBackend[] => {
    let best = -1;
    let bestScore = -Infinity;
    scores.forEach((s, i) => {
      if (s >= (cfg.routes[i] as SemanticRoute).threshold && s > bestScore) {
        best = i;
        bestScore = s;
      }
    });
    const route = cfg.routes[best];
    request.score = Math.max(0, ...scores);
    request.decision = route ? route.name : 'default';
    request.context = request.decision;
    return first(route ? route.backend : cfg.fallback);
  };
  const failed = (err: unknown, request: RankRequest) => {
    cfg.onError?.(err as Error);
    request.decision = 'semantic-error';
    return first(cfg.fallback);
  };
  return {
    name: 'semantic',
    rank(_random, request) {
      const embeddings = cfg.embeddings;
      if (!embeddings) {
        try {
          return choose(cfg.index.scores(request.prompt()), request);
        } catch (err) {
          return failed(err, request);
        }
      }
      return embeddings.embed([request.prompt()]).then(
        ([v]) => choose(cfg.index.scoresVector(v as Float32Array), request),
        (err: unknown) => failed(err, request),
      );
    },
  };
}
