import type { Logger } from 'pino';
import type { RouteTable } from '../config/route-table.js';
import type { UpstreamPools } from '../upstream/pools.js';
import type { RouteStates } from './route-states.js';

/**
 * Active health checks: for routes that configure `healthCheck`, a GET to
 * each backend's endpoint + path at the interval. Results feed the same
 * BackendHealth as real traffic. Timers are unref'd and replaced on reload.
 */
export class ActiveHealthChecks {
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly states: RouteStates,
    private readonly pools: UpstreamPools,
    private readonly log: Logger,
  ) {}

  sync(table: RouteTable): void {
    this.stop();
    for (const route of table.routes) {
      const check = route.resilience.healthCheck;
      if (!check) continue;
      for (const backend of route.backends) {
        const run = () =>
          void this.#probe(
            route.id,
            backend.name,
            () => this.states.backend(route, backend),
            backend.baseUrl,
            backend.apiKey,
            check.path,
            check.timeoutMs,
            route.timeouts.connect,
          );
        const timer = setInterval(run, check.intervalMs);
        timer.unref();
        this.#timers.push(timer);
      }
    }
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  async #probe(
    routeId: string,
    backendName: string,
    state: () => { health: { success(now: number): void; failure(now: number): void } } | undefined,
    baseUrl: URL,
    apiKey: string | undefined,
    path: string,
    timeoutMs: number,
    connectTimeoutMs: number,
  ): Promise<void> {
    let ok = false;
    try {
      const res = await this.pools.get(baseUrl, connectTimeoutMs).request({
        method: 'GET',
        path: `${baseUrl.pathname}${path}`,
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      ok = res.statusCode < 500;
    } catch {
      ok = false;
    }
    const health = state()?.health;
    if (!health) return;
    if (ok) health.success(performance.now());
    else {
      health.failure(performance.now());
      this.log.debug({ route: routeId, backend: backendName }, 'active health check failed');
    }
  }
}
