import type { GatewayError } from '../errors.js';
import type { Usage } from '../providers/provider.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend, RetryOn, TimeoutsMs } from './backend.js';
import type { Random, RankRequest, Strategy } from './strategy.js';

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
  /** Prompt sampling (spec.sampling); undefined when off, the default. */
  sampler?: RouteSampler | undefined;
  /** Stable hash of the route's plan: an unchanged plan keeps this very object across rebuilds. */
  planHash: string;
}

/** One answered request, as prompt sampling sees it (read only when it is drawn). */
export interface AnsweredRequest {
  route: string;
  /** The caller's tenant and key name (never the key); absent when auth is off. */
  tenant: string | undefined;
  keyName: string | undefined;
  /** The model the client asked for. */
  model: string;
  /** The backend that answered. */
  backend: string;
  /** The router's score and decision, when the strategy made one. */
  score: number | undefined;
  decision: string | undefined;
  /** chat, text_completion, embeddings. */
  operation: string;
  /** The path the request came in on (/v1/chat/completions, /v1/responses, /v1/messages ...). */
  endpoint: string;
  /** The text the routing read (and a learned router scored). */
  prompt: () => string;
  /** Chat requests: the messages as routed (a front door's request turned into chat). */
  messages: () => readonly unknown[] | undefined;
}

export type SampleOutcome = 'written' | 'dropped' | 'failed';

/** A route's prompt sampler: draws, and writes a record of the drawn answers without ever holding the request up. */
export interface RouteSampler {
  answered(request: AnsweredRequest, random: Random, done: (outcome: SampleOutcome) => void): void;
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
  /**
   * Router name -> the route that claimed RouteLLM's `router-<name>-<threshold>`
   * (the first in table order whose router answers to it; plan/router-names.ts claimRouterNames).
   */
  byRouterName: ReadonlyMap<string, CompiledRoute>;
  routes: readonly CompiledRoute[];
}

export const EMPTY_TABLE: RouteTable = { version: 0, byModel: new Map(), byRouterName: new Map(), routes: [] };

/** What one backend call of a runner came to. */
export type StageResult =
  /** The answer in OpenAI's shape, with its usage (as reported, or counted) and cost. */
  | { kind: 'answer'; json: Record<string, unknown>; usage: Usage; cost: number; upstreamMs: number }
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
  /**
   * One non-streaming call to `backend` with `body` (as `op`, default the
   * request's). `purpose: 'routing'` marks a call made to decide rather than
   * to answer (a verifier, a judge): savings count it as the cost of routing.
   * Default: 'answer' when the body asks the request's own prompt, else 'routing'.
   */
  call(backend: CompiledBackend, body: ProxiedBody, options?: CallOptions): Promise<StageResult>;
  /**
   * The client's response for the answer `backend` gave (chat.completion or
   * text_completion): JSON, or the answer as stream events when the request
   * streams, in the shape of the door the request came through.
   */
  respond(backend: CompiledBackend, json: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  /**
   * The final answer: `body` sent through the failover walk over `backends`
   * (streamed when the client streams, in the client's door), reporting
   * `prior` usage added to its own; the request's limits settle on the sum.
   */
  finish(backends: readonly CompiledBackend[], body: ProxiedBody, options: FinishOptions): Promise<Response>;
  /** Counts what the strategy decided (metrics). */
  decided(decision: string): void;
  /** The gateway's own id of the request (learners key on it). */
  requestId: string;
  random: Random;
  /** Metrics of multi-call runs, labelled with the route. */
  metrics: RunMetrics;
}

export interface RunMetrics {
  /** One stage of a run (a collaboration mode's answers, rounds, judge, synthesis). */
  stage(mode: string, stage: string, seconds: number): void;
  /** A run's outcome, with its orchestration time (not spent waiting on backends) when it answered. */
  run(mode: string, outcome: 'answered' | 'failed' | 'refused', overheadSeconds?: number): void;
}

export interface CallOptions {
  /** The operation the call is (default: the request's). */
  op?: Operation;
  /** Call the backend even when it is ejected (something must answer). */
  evenIfEjected?: boolean;
  /** A time limit for this call, within the request's. */
  timeoutMs?: number;
  /** Extra headers to the backend (x-switchboard-depth). */
  headers?: Readonly<Record<string, string>>;
  /** Why the backend is called (savings count 'routing' calls as the cost of routing). */
  purpose?: CallPurpose;
}

export interface FinishOptions {
  /** What the calls before the final one used (their usage and cost). */
  prior: { usage: Usage; cost: number };
  /** Extra response headers. */
  headers?: Readonly<Record<string, string>>;
  /** Extra headers to the backend (x-switchboard-depth). */
  upstreamHeaders?: Readonly<Record<string, string>>;
  /** Adds to a whole chat answer (chat clients only): a body extension such as a trace. */
  extend?: (json: Record<string, unknown>) => Record<string, unknown>;
}

/** Why a backend was called: to answer the request, or to decide how to (the cost of routing). */
export type CallPurpose = 'answer' | 'routing';

/** Runs a whole request across several backends (cascade), in place of the proxy's failover walk. */
export interface Runner {
  run(ctx: RunContext): Promise<Response>;
  /** What the whole run may use, for admission (every call it will make); absent = one call's worst case. */
  estimate?(rank: RankRequest, random: Random): { tokens: number; cost: number };
  /**
   * How it runs requests (its stages and acceptance rule), for the console;
   * given a request, how it would run that one (the plan it would choose),
   * for POST /v1/route/explain.
   */
  describe?(rank?: RankRequest, random?: Random): Readonly<Record<string, unknown>>;
}
