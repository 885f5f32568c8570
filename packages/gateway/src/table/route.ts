import type { GatewayError } from '../errors.js';
import type { Usage } from '../providers/provider.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend, RetryOn, TimeoutsMs } from './backend.js';
import type { RankRequest, Strategy } from './strategy.js';

export interface OutlierConfig {
  consecutiveFailures: number;
  failureRate: number;
  minRequests: number;
  windowMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
}

export interface HealthCheckConfig {
  intervalMs: number;
  timeoutMs: number;
  /** Path under the endpoint; undefined = the provider's own (models, or NIM's health/ready). */
  path: string | undefined;
}

export interface ResilienceConfig {
  retryOn: ReadonlySet<RetryOn>;
  maxAttempts: number;
  retryBudget: { ratio: number; minRetriesPerSecond: number };
  outlier: OutlierConfig;
  /** Active checks; undefined when off. */
  healthCheck: HealthCheckConfig | undefined;
}

export interface CompiledRoute {
  /** `namespace/name`, as shown in headers and metrics. */
  id: string;
  modelNames: readonly string[];
  backends: readonly CompiledBackend[];
  strategy: Strategy;
  /** Strategies that call several backends per request (cascade) run the request themselves. */
  runner: Runner | undefined;
  timeouts: TimeoutsMs;
  resilience: ResilienceConfig;
  /** Route-wide limits (all callers); undefined when none. */
  limits: { requestsPerMinute?: number; tokensPerMinute?: number } | undefined;
  /** Completion tokens a request without max_tokens reserves against limits and budgets (per choice). */
  reserveOutputTokens: number;
  /** Stable hash of the route's plan: an unchanged plan keeps this very object across rebuilds. */
  planHash: string;
}

/** What a transport reads of a route: its time limits (side calls outside a route bring their own). */
export type Timed = Pick<CompiledRoute, 'timeouts'>;

/**
 * The data plane's whole configuration: immutable, swapped atomically. A
 * request keeps the table it started with even if a new one is swapped in.
 * Holds no Kubernetes types (see docs/architecture.md).
 */
export interface RouteTable {
  /** Increases with every accepted configuration. */
  version: number;
  /** Model name -> route. */
  byModel: ReadonlyMap<string, CompiledRoute>;
  routes: readonly CompiledRoute[];
}

export const EMPTY_TABLE: RouteTable = { version: 0, byModel: new Map(), routes: [] };

/** What one backend call of a runner came to. */
export type StageResult =
  /** The answer in OpenAI's shape, with its usage (as reported, or counted) and cost. */
  | { kind: 'answer'; json: Record<string, unknown>; usage: Usage; cost: number }
  /** Not called: ejected (and not forced) or at its concurrency limit. */
  | { kind: 'skipped'; why: 'ejected' | 'saturated' }
  /** Called and failed; `clientFault` when the request itself is to blame (no other backend would do better). */
  | { kind: 'failed'; error: GatewayError; clientFault: boolean };

/**
 * What the proxy lends a runner for one request: calls that keep the
 * concurrency limits, health, metrics, usage and the client's
 * cancellation; usage and cost of every call are added up for the
 * request's limits and budgets.
 */
export interface RunContext {
  op: Operation;
  route: CompiledRoute;
  body: ProxiedBody;
  rank: RankRequest;
  /** One non-streaming call to `backend` with `body` (as `op`, default the request's). */
  call(backend: CompiledBackend, body: ProxiedBody, options?: { op?: Operation; evenIfEjected?: boolean }): Promise<StageResult>;
  /** Headers of the answer, as answered by `backend`. */
  headers(backend: CompiledBackend, contentType: string): Record<string, string>;
  /** Counts what the strategy decided (metrics). */
  decided(decision: string): void;
}

/** Runs a whole request across several backends (cascade), in place of the proxy's failover walk. */
export interface Runner {
  run(ctx: RunContext): Promise<Response>;
}
