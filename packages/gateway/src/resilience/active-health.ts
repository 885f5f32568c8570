import type { Logger } from 'pino';
import type { CompiledBackend, CompiledRoute, HealthCheckConfig, RouteTable } from '../config/route-table.js';
import { Metadata } from '@grpc/grpc-js';
import { providerFor } from '../providers/index.js';
import { isGrpc } from '../providers/triton/grpc/clients.js';
import type { UpstreamPools } from '../upstream/pools.js';
import type { RouteStates } from './route-states.js';

/**
 * Active health checks: for routes that configure `healthCheck`, a GET to
 * each backend's endpoint + path (the provider's own health path by
 * default) at the interval; for grpc:// backends, ServerReady and
 * ModelReady. Results feed the same BackendHealth as real
 * traffic. Timers are unref'd and replaced on reload.
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
        const timer = setInterval(() => void this.#probe(route, backend, check), check.intervalMs);
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
    let ok = false;
    if (isGrpc(backend)) {
      ok = await this.pools.grpc.ready(backend, new Metadata(), new Date(Date.now() + check.timeoutMs)).catch(() => false);
      this.#record(route, backend, ok);
      return;
    }
    const path = check.path ?? providerFor(backend.provider).healthPath;
    try {
      const res = await this.pools.get(backend.baseUrl, route.timeouts.connect).request({
        method: 'GET',
        path: `${backend.baseUrl.pathname}${path}`,
        headers: backend.apiKey ? { authorization: `Bearer ${backend.apiKey}` } : {},
        signal: AbortSignal.timeout(check.timeoutMs),
      });
      await res.body.dump();
      ok = res.statusCode < 500;
    } catch {
      ok = false;
    }
    this.#record(route, backend, ok);
  }

  #record(route: CompiledRoute, backend: CompiledBackend, ok: boolean): void {
    const health = this.states.backend(route, backend)?.health;
    if (!health) return;
    if (ok) health.success(performance.now());
    else {
      health.failure(performance.now());
      this.log.debug({ route: route.id, backend: backend.name }, 'active health check failed');
    }
  }
}
