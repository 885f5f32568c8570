import type { Logger } from 'pino';
import type { RouteTableStore } from './config/table-store.js';
import type { RouteStates } from './resilience/route-states.js';
import type { GatewayMetrics } from './metrics/metrics.js';
import type { Random } from './routing/index.js';
import type { UpstreamPools } from './upstream/pools.js';

/** Everything the data plane needs, injected so tests can swap any part. */
export interface AppDeps {
  tables: RouteTableStore;
  pools: UpstreamPools;
  /** Health, concurrency slots and retry budgets; kept across table swaps. */
  states: RouteStates;
  metrics: GatewayMetrics;
  log: Logger;
  /** Randomness for weighted choices; Math.random by default. */
  random?: Random;
  /** Largest accepted request body, in bytes. Default 10 MiB. */
  bodyLimitBytes?: number;
  /** True once shutdown has begun: /readyz fails so load balancers stop sending. */
  isDraining?: () => boolean;
}

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    /** performance.now() when the request reached the gateway. */
    startedAt: number;
    /** Set once a route and backend are chosen, for error metrics. */
    routeId: string;
    backendName: string;
  }
}
