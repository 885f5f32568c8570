import type { NativeRouter } from '@switchboard/native';
import type { CompiledBackend } from '../config/route-table.js';
import type { EmbeddingsClient } from './sources/embeddings.js';
import type { RankRequest, Strategy } from './strategy.js';

export interface ThresholdConfig {
  strong: CompiledBackend;
  weak: CompiledBackend;
  router: NativeRouter;
  threshold: number;
  /** The router's folder name and its kind (mf, sw, ...), for `router-<name>-<threshold>`. */
  routerNames: string[];
  /** Routers trained with the remote encoder: the prompt is embedded here first. */
  embeddings?: EmbeddingsClient | undefined;
}

/**
 * RouteLLM's strong/weak routing: one native call scores the prompt with
 * the probability that the strong backend's answer beats the weak one's;
 * at or above the threshold the strong backend goes first, else the weak
 * one. The other of the pair, then any remaining backends by priority,
 * follow as failover.
 */
export function thresholdStrategy(backends: readonly CompiledBackend[], cfg: ThresholdConfig): Strategy {
  const rest = backends.filter((b) => b !== cfg.strong && b !== cfg.weak).sort((a, b) => a.priority - b.priority);
  const strongFirst = [cfg.strong, cfg.weak, ...rest];
  const weakFirst = [cfg.weak, cfg.strong, ...rest];
  return {
    name: 'threshold',
    routerNames: cfg.routerNames,
    rank(_random, request?: RankRequest) {
      if (!request) return strongFirst;
      const decide = (score: number) => {
        const strong = score >= (request.thresholdOverride ?? cfg.threshold);
        request.score = score;
        request.decision = strong ? 'strong' : 'weak';
        return strong ? strongFirst : weakFirst;
      };
      const embeddings = cfg.embeddings;
      if (!embeddings) return decide(cfg.router.score(request.prompt()));
      // Remote encoder: when the embeddings server fails, the strong model answers (quality first).
      return embeddings.embed([request.prompt()]).then(
        ([v]) => decide(cfg.router.scoreVector(v as Float32Array)),
        () => {
          request.decision = 'strong';
          return strongFirst;
        },
      );
    },
  };
}
