import { providerFor } from '../../providers/index.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { HealthCheckConfig, RouteTable, Timed } from '../../table/route.js';
import type { AttemptOutcome } from '../outcome.js';
import type { Transport, TransportCall } from '../transport.js';
import { attempt } from './attempt.js';
import { UpstreamPools, type PoolOptions } from './pools.js';

/** HTTP backends (every provider's HTTP API): the provider builds the request, undici's pools carry it. */
export class HttpTransport implements Transport {
  readonly #pools: UpstreamPools;

  constructor(options: Partial<PoolOptions> = {}) {
    this.#pools = new UpstreamPools(options);
  }

  attempt(c: TransportCall): Promise<AttemptOutcome> {
    const upstream = providerFor(c.backend.provider).buildRequest(c.op, c.backend, c.body, c.requestId);
    // The gateway's own per-call headers (depth, trace context) last: a backend's configured headers cannot reset them.
    if (c.headers) upstream.headers = { ...upstream.headers, ...c.headers };
    return attempt(this.#pools, c.route, c.backend, upstream, c.call, c.stream);
  }

  /** A GET of the backend's health path (the provider's own, or the route's): anything below 500 is alive. */
  async ready(route: Timed, backend: CompiledBackend, check: HealthCheckConfig): Promise<boolean> {
    const path = check.path ?? providerFor(backend.provider).healthPath;
    try {
      const res = await this.#pools.get(backend.baseUrl, route.timeouts.connect).request({
        method: 'GET',
        path: `${backend.baseUrl.pathname}${path}`,
        headers: backend.apiKey ? { authorization: `Bearer ${backend.apiKey}` } : {},
        signal: AbortSignal.timeout(check.timeoutMs),
      });
      await res.body.dump();
      return res.statusCode < 500;
    } catch {
      return false;
    }
  }

  retainFor(table: RouteTable): void {
    this.#pools.retainFor(table);
  }

  close(): Promise<void> {
    return this.#pools.close();
  }
}
