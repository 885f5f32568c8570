import type { NativeRouter } from '@switchboard/native';
import type { EmbeddingsClient } from '../../sources/embeddings.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { ExplainSink, RankRequest, Strategy } from '../../table/strategy.js';

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
 * RouteLLM's strong/weak routing: the router scores the prompt with the
 * probability that the strong backend's answer beats the weak one's (in the
 * request's one native call, beside its token count); at or above the
 * threshold the strong backend goes first, else the weak one. The other of
 * the pair, then any remaining backends by priority, follow as failover.
 */
function explainThreshold(ex: ExplainSink, cfg: ThresholdConfig, score: number, threshold: number): void {
  ex.note('threshold', threshold);
  ex.note('routerScore', score);
  ex.backend(cfg.strong.name, { role: 'strong', chosenWhen: `score >= ${threshold}` });
  ex.backend(cfg.weak.name, { role: 'weak', chosenWhen: `score < ${threshold}` });
}

export function thresholdStrategy(backends: readonly CompiledBackend[], cfg: ThresholdConfig): Strategy {
  const rest = backends.filter((b) => b !== cfg.strong && b !== cfg.weak).sort((a, b) => a.priority - b.priority);
  const strongFirst = [cfg.strong, cfg.weak, ...rest];
  const weakFirst = [cfg.weak, cfg.strong, ...rest];
  const decide = (score: number, request: RankRequest) => {
    const threshold = request.thresholdOverride ?? cfg.threshold;
    const strong = score >= threshold;
    request.score = score;
    request.decision = strong ? 'strong' : 'weak';
    if (request.explain) explainThreshold(request.explain, cfg, score, threshold);
    return strong ? strongFirst : weakFirst;
  };
  const embeddings = cfg.embeddings;
  if (!embeddings) {
    return {
      name: 'threshold',
      routerNames: cfg.routerNames,
      router: { native: cfg.router, reads: 'score' },
      rank: (_random, request) => decide(request.routerOutputs()[0] ?? 0.5, request),
    };
  }
  return {
    name: 'threshold',
    routerNames: cfg.routerNames,
    asksModel: true,
    // Remote encoder: when the embeddings server fails, the strong model answers (quality first).
    rank: (_random, request) =>
      embeddings.embed([request.prompt()]).then(
        ([v]) => decide(cfg.router.scoreVector(v as Float32Array), request),
        () => {
          request.decision = 'strong';
          request.explain?.note('embeddingsFailed', true);
          return strongFirst;
        },
      ),
  };
}
