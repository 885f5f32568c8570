import type { PlanScope } from '../../plan/compile.js';
import type { EmbeddingsConfig } from '../../sources/embeddings.js';
import { planBackend, planEmbeddings, type Routing } from '../build-context.js';

export interface SemanticRoutePlan {
  name: string;
  backend: string;
  threshold: number;
  utterances: string[];
}

export interface SemanticSettings {
  [key: string]: unknown;
  encoder: 'lexical' | 'sentence' | 'remote';
  topK: number;
  routes: SemanticRoutePlan[];
  /** Backend when no route reaches its threshold. */
  default: string;
  embeddings: EmbeddingsConfig | undefined;
}

/** spec.routing.semantic -> settings: backends checked, the default resolved (else the first by priority). */
export function planSemantic(routing: Routing | undefined, scope: PlanScope): SemanticSettings | undefined {
  const cfg = routing?.semantic;
  const at = 'spec.routing.semantic';
  if (!cfg) {
    scope.problems.push({ path: at, message: 'strategy semantic needs the routing.semantic block' });
    return undefined;
  }
  const routes = cfg.routes.map((r, i) => ({
    name: r.name,
    backend: planBackend(scope, r.backend, `${at}.routes[${i}].backend`),
    threshold: r.threshold ?? 0,
    utterances: r.utterances,
  }));
  const fallback =
    cfg.default !== undefined
      ? planBackend(scope, cfg.default, `${at}.default`)
      : [...scope.backends].sort((a, b) => a.priority - b.priority)[0]?.name;
  const encoder = cfg.encoder ?? 'lexical';
  const embeddings = planEmbeddings(routing, scope);
  if (encoder === 'remote' && !embeddings) {
    scope.problems.push({
      path: 'spec.routing.embeddings',
      message: 'the remote encoder needs the routing.embeddings block (an OpenAI-compatible /v1/embeddings server)',
    });
  }
  if (!fallback || routes.some((r) => !r.backend) || scope.problems.length) return undefined;
  return { encoder, topK: cfg.topK ?? 3, routes: routes as SemanticRoutePlan[], default: fallback, embeddings };
}
