import type { Logger } from 'pino';
import type { Caller } from './auth/api-keys.js';
import type { ResponseStore } from './doors/responses/store.js';
import type { LearningStore } from './learning/store.js';
import type { Admission } from './limits/admission.js';
import type { AuthMode } from './middleware/auth.js';
import type { GatewayMetrics } from './metrics/metrics.js';
import type { RouteStates } from './resilience/route-states.js';
import type { Random } from './table/strategy.js';
import type { RouteTableStore } from './table/table-store.js';
import type { Transports } from './transport/transport.js';
import type { UpstreamLimits } from './upstream/limits.js';

/** Everything the data plane needs, injected so tests can swap any part. */
export interface AppDeps {
  tables: RouteTableStore;
  /** How calls reach backends (HTTP, gRPC); shared by every table. */
  transports: Transports;
  /** Health, concurrency slots and retry budgets; kept across table swaps. */
  states: RouteStates;
  metrics: GatewayMetrics;
  log: Logger;
  /** API keys, or auth explicitly off. */
  auth: AuthMode;
  /** Rate limits and budgets; undefined when the deployment configures none. */
  admission?: Admission | undefined;
  /** Stored Responses API answers (`previous_response_id`, GET /v1/responses/{id}); in this process's memory when absent. */
  responses?: ResponseStore | undefined;
  /** Bandit statistics and the feedback ledger (the same store the strategies were built with). */
  learning: LearningStore;
  /** Randomness for weighted choices; Math.random by default. */
  random?: Random;
  /** Largest accepted request body, in bytes. Default 10 MiB. */
  bodyLimitBytes?: number;
  /** True once shutdown has begun: /readyz fails so load balancers stop sending. */
  isDraining?: () => boolean;
  /** Bounds on backend answers; DEFAULT_UPSTREAM_LIMITS when absent (the HTTP transport takes maxResponseBytes). */
  upstreamLimits?: UpstreamLimits;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The caller's x-request-id when it sent a sane one, else `gatewayId`: echoed and forwarded to backends. */
    requestId: string;
    /** The gateway's own id of the request, never chosen by a client (the feedback ledger keys on it). */
    gatewayId: string;
    /** performance.now() when the request reached the gateway. */
    startedAt: number;
    /** Set once a route and backend are chosen, for error metrics. */
    routeId: string;
    /** The authenticated caller (absent when auth is disabled). */
    caller: Caller | undefined;
    backendName: string;
  }
}
