import type { AppDeps } from '../context.js';
import type { LimitPreview } from '../limits/admission.js';
import type { CompiledRoute } from '../table/route.js';

const NOTHING = { tokens: 0, cost: 0 };

/** A route's limits as they stand now (route-wide counters; per-key ones need the key). */
async function limitsInUse(deps: AppDeps, route: CompiledRoute): Promise<LimitPreview[] | 'unavailable'> {
  if (!deps.admission || !route.limits) return [];
  return deps.admission.preview(undefined, route, NOTHING).catch(() => 'unavailable' as const);
}

/** GET /console/api/overview: every route and backend with its health, ejections, concurrency and limits. */
export async function overview(deps: AppDeps) {
  const table = deps.tables.current();
  const now = performance.now();
  const routes = await Promise.all(
    table.routes.map(async (route) => {
      const state = deps.states.route(route);
      return {
        id: route.id,
        models: route.modelNames,
        strategy: route.strategy.name,
        runner: route.runner?.describe?.() ?? null,
        limits: route.limits ?? null,
        limitsInUse: await limitsInUse(deps, route),
        backends: route.backends.map((b) => {
          const s = state.backends.get(b.name);
          return {
            name: b.name,
            provider: b.provider,
            model: b.model,
            priority: b.priority,
            weight: b.weight,
            prices:
              b.inputPricePerToken > 0 || b.outputPricePerToken > 0
                ? { input: b.inputPricePerToken * 1e6, output: b.outputPricePerToken * 1e6 }
                : null,
            contextWindow: b.contextWindow ?? null,
            health: s?.health.state(now) ?? 'healthy',
            ejections: s?.health.ejections ?? 0,
            concurrency: { active: s?.limit.active ?? 0, queued: s?.limit.queued ?? 0, max: b.maxConcurrency ?? null },
          };
        }),
      };
    }),
  );
  return {
    configVersion: table.version,
    loaded: deps.tables.loaded,
    mode: deps.console?.info.mode ?? 'serve',
    tracing: deps.console?.info.tracing ?? false,
    captureContent: deps.console?.info.captureContent ?? false,
    savings: deps.savings ? deps.savings.store.kind : null,
    routes,
  };
}
