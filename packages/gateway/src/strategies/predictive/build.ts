import type { BuildContext, BuiltStrategy } from '../build-context.js';
import type { PredictiveSettings } from './plan.js';
import { predictiveStrategy, type PredictiveMember } from './rank.js';

/** Router kinds whose outputs are each model's predicted quality, in `meta.models` order. */
const PER_MODEL_KINDS: ReadonlySet<string> = new Set(['predictive', 'knn', 'cluster', 'irt']);

/** Settings -> the predictive strategy: the router loaded, each backend's model found in it. */
export function buildPredictive(s: PredictiveSettings, ctx: BuildContext): BuiltStrategy | undefined {
  const f = ctx.factories;
  const at = 'spec.routing.predictive';
  const dir = f.resolveRouterDir(s.router, ctx.origin);
  const router = f.loadRouter(dir);
  const meta = router.metadata;
  if (!PER_MODEL_KINDS.has(meta.router) || !meta.models.length) {
    ctx.problem(
      at,
      `router ${dir} is a ${meta.router} router; predictive routing needs one that predicts each model's quality (${[...PER_MODEL_KINDS].join(', ')})`,
    );
    return undefined;
  }
  if (meta.encoder === 'remote') {
    ctx.problem(at, 'predictive routers with the remote encoder are not supported; use hashed or sentence');
    return undefined;
  }
  const members: PredictiveMember[] = [];
  for (const [backend, model] of Object.entries(s.models)) {
    const index = router.modelIndex(model) ?? -1;
    if (index < 0) {
      ctx.problem(`${at}.models.${backend}`, `the router knows no model "${model}" (known: ${meta.models.join(', ')})`);
      continue;
    }
    members.push({ backend: ctx.backend(backend), model: index, outputTokens: meta.outputTokens[index] || s.outputTokens });
  }
  if (members.length !== Object.keys(s.models).length) return undefined;
  return {
    strategy: predictiveStrategy(ctx.backends, {
      router,
      members,
      lambdaCost: s.lambdaCost,
      lambdaLatency: s.lambdaLatency,
      maxCostPerRequest: s.maxCostPerRequest,
      allowedProviders: s.allowedProviders ? new Set(s.allowedProviders) : undefined,
    }),
  };
}
