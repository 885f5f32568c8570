import type { Logger } from 'pino';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, HealthCheckConfig, RouteTable } from '../table/route.js';
import type { Transports } from '../transport/transport.js';
import type { RouteStates } from './route-states.js';

/**
 * Active health checks: for routes that configure `healthCheck`, each
 * backend's transport is asked at the interval whether the backend is
 * ready (a GET of its health path over HTTP; ServerReady and ModelReady
 * over gRPC). Results feed the same BackendHealth as real traffic. Timers
 * are unref'd and replaced on reload.
 */
export class ActiveHealthChecks {
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly states: RouteStates,
    private readonly transports: Transports,
    private readonly log: Logger,
  ) {}

  sync(table: RouteTable): void {
    this.stop();
    for (const route of table.routes) {
      const check = route.resilience.healthCheck;
      if (!check) continue;
      for (const backend of route.backends) {
        // One probe at a time per backend: a slow backend is not sent a new probe every interval.
        let probing = false;
        const timer = setInterval(() => {
          if (probing) return;
          probing = true;
          void this.#probe(route, backend, check).finally(() => (probing = false));
        }, check.intervalMs);
        timer.unref();
        this.#timers.push(timer);
      }
    }
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  async #probe(route: CompiledRoute, backend: CompiledBackend, check: HealthCheckConfig): Promise<void> {
    const ok = await this.transports
      .for(backend)
      .ready(route, backend, check)
      .catch(() => false);
    const health = this.states.backend(route, backend)?.health;
    if (!health) return;
    if (ok) health.success(performance.now());
    else {
      health.failure(performance.now());
      this.log.debug({ route: route.id, backend: backend.name }, 'active health check failed');
    }
  }
}
