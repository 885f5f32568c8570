import type { Context } from 'hono';
import type { AppDeps } from '../context.js';

/** `GET /healthz`: the process is alive and its event loop answers. */
export const healthz = (c: Context) => c.json({ status: 'ok' });

/** `GET /readyz`: a route table is loaded and the gateway is not shutting down. */
export function readyz(deps: AppDeps) {
  return (c: Context) => {
    const table = deps.tables.current();
    const detail = {
      routes: table.routes.length,
      models: table.byModel.size,
      configVersion: table.version,
      backends: deps.states.snapshot(performance.now()),
    };
    if (deps.isDraining?.()) return c.json({ status: 'draining', ...detail }, 503);
    if (!deps.tables.loaded) return c.json({ status: 'no configuration loaded yet', ...detail }, 503);
    return c.json({ status: 'ready', ...detail });
  };
}

/** `GET /metrics`: Prometheus text format. */
export function metricsRoute(deps: AppDeps) {
  return async (c: Context) =>
    c.body(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType });
}
