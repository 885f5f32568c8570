import type { Usage } from '../providers/provider.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CallPurpose, CompiledRoute } from '../table/route.js';
import type { SkipReason } from '../proxy/candidates.js';

// The one seam through which savings, tracing and the console's live view
// watch requests. The proxy calls it at a few points (route found, routing
// decided, each upstream attempt, the end); with no observer configured
// (`deps.observer` undefined) every hook is an optional call on undefined.

/** What the gateway knows of a request once its route is found. */
export interface RequestStart {
  /** The id echoed to the client and forwarded to backends. */
  requestId: string;
  /** performance.now() when the request reached the gateway. */
  startedAt: number;
  op: Operation;
  route: CompiledRoute;
  /** What the client put in `model`. */
  model: string;
  body: ProxiedBody;
  /** The caller's tenant: '-' without auth, 'console' for the console's comparisons. */
  tenant: string;
  /** A request header (lower-case name), e.g. the client's `traceparent`. */
  header(name: string): string | undefined;
  /** The text routers read (extracted once per request). */
  prompt(): string;
}

/** The strategy's decision, after health and fit filtered its ranking. */
export interface RoutingDecision {
  strategy: string;
  decision: string | undefined;
  score: number | undefined;
  /** The backends that will be tried, in order. */
  ranking: readonly CompiledBackend[];
  skipped: readonly { backend: string; reason: SkipReason }[];
  /** The strategy asked a model outside the request's native call (remote embeddings, an ONNX or Triton classifier). */
  asked: boolean;
  startedAt: number;
  endedAt: number;
}

export interface AttemptStart {
  backend: CompiledBackend;
  /** 1 for the first backend tried, 2 for the first retry or failover, ... */
  attempt: number;
  purpose: CallPurpose;
  stream: boolean;
}

export interface AttemptEnd {
  outcome: 'answered' | 'retry' | 'failed' | 'client_closed';
  /** HTTP status of this attempt as the gateway saw it (200 answered, 499 client gone). */
  status: number;
  /** Failure class of a retried attempt (5xx, 429, timeout, ...). */
  reason?: string | undefined;
  /** `model` of the backend's answer, when it said. */
  responseModel?: string | undefined;
  /** The answer's text, read only by observers that record content (and only when that is enabled). */
  completion?: (() => string) | undefined;
}

/** How an attempt that brought a whole answer ended, for observers (the text read only if one asks). */
export function answeredAttempt(op: Operation, answer: unknown): AttemptEnd {
  const model = (answer as { model?: unknown } | null)?.model;
  return {
    outcome: 'answered',
    status: 200,
    responseModel: typeof model === 'string' ? model : undefined,
    completion: () => op.completionText(answer),
  };
}

export interface AttemptObservation {
  /** Headers to send with this attempt (the W3C trace context); undefined when none. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** The answer's usage (reported, or counted natively) and cost; before `end`, at most once. */
  settled(usage: Usage | undefined, cost: number): void;
  end(result: AttemptEnd): void;
}

export interface RequestEnd {
  status: number;
  /** The backend that answered (or was last tried). */
  backend: string | undefined;
  /** The strategy's final decision and score (a cascade decides while it runs). */
  decision: string | undefined;
  score: number | undefined;
}

export interface RequestObservation {
  routed(decision: RoutingDecision): void;
  attempt(start: AttemptStart): AttemptObservation;
  end(result: RequestEnd): void;
}

/** A call the gateway made outside any request for a route (a bandit's evaluator rating an answer). */
export interface SideCall {
  route: CompiledRoute;
  backend: CompiledBackend;
  kind: string;
  usage: Usage | undefined;
  cost: number;
}

/** Something that watches requests: savings, tracing, the live view. */
export interface RequestObserver {
  begin(start: RequestStart): RequestObservation;
  sideCall?(call: SideCall): void;
}
