import { Pool } from 'undici';
import type { RouteTable } from '../../table/route.js';
import { DEFAULT_UPSTREAM_LIMITS } from '../../upstream/limits.js';

export interface PoolOptions {
  /** Connections kept per backend origin. */
  connections: number;
  keepAliveTimeoutMs: number;
  /** Largest answer (streamed or not) read from a backend; the connection is dropped past it. */
  maxResponseBytes: number;
}

const DEFAULTS: PoolOptions = {
  connections: 256,
  keepAliveTimeoutMs: 30_000,
  maxResponseBytes: DEFAULT_UPSTREAM_LIMITS.maxResponseBytes,
};

/**
 * Keep-alive connection pools, one per backend origin and connect timeout.
 * Pools outlive route tables, so a reload keeps warm connections; pools no
 * table uses any more are closed gracefully (in-flight requests finish).
 */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #options: PoolOptions;

  constructor(options: Partial<PoolOptions> = {}) {
    this.#options = { ...DEFAULTS, ...options };
  }

  get(url: URL, connectTimeoutMs: number): Pool {
    const key = poolKey(url, connectTimeoutMs);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections: this.#options.connections,
        keepAliveTimeout: this.#options.keepAliveTimeoutMs,
        maxResponseSize: this.#options.maxResponseBytes,
        connect: { timeout: connectTimeoutMs },
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Closes the pools that no route of `table` can use. */
  retainFor(table: RouteTable): void {
    const used = new Set<string>();
    for (const route of table.routes) {
      for (const b of route.backends) if (b.transport === 'http') used.add(poolKey(b.baseUrl, route.timeouts.connect));
    }
    for (const [key, pool] of this.#pools) {
      if (!used.has(key)) {
        this.#pools.delete(key);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }
}

const poolKey = (url: URL, connectTimeoutMs: number) => `${url.origin}|${connectTimeoutMs}`;
