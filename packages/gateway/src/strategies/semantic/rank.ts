import type { NativeSemanticIndex } from '@switchboard/native';
import type { EmbeddingsClient } from '../../sources/embeddings.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { ExplainSink, RankRequest, Strategy } from '../../table/strategy.js';
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
/** Every semantic route's similarity against its threshold; each backend with its best similarity. */
function explainRoutes(ex: ExplainSink, cfg: SemanticConfig, scores: readonly number[]): void {
  const routes = cfg.routes.map((r, i) => ({
    name: r.name,
    backend: r.backend.name,
    similarity: scores[i] ?? 0,
    threshold: r.threshold,
    passes: (scores[i] ?? 0) >= r.threshold,
  }));
  ex.note('routes', routes);
  ex.note('default', cfg.fallback.name);
  const best = new Map<string, number>();
  for (const r of routes) best.set(r.backend, Math.max(best.get(r.backend) ?? 0, r.similarity));
  for (const [name, similarity] of best) ex.backend(name, { similarity });
}

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
    if (request.explain) explainRoutes(request.explain, cfg, scores);
    request.decision = route ? route.name : 'default';
    request.context = request.decision;
    return first(route ? route.backend : cfg.fallback);
  };
  const failed = (err: unknown, request: RankRequest) => {
    cfg.onError?.(err as Error);
    request.decision = 'semantic-error';
    request.explain?.note('semanticError', (err as Error).message);
    return first(cfg.fallback);
  };
  return {
    name: 'semantic',
    asksModel: cfg.embeddings !== undefined,
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
