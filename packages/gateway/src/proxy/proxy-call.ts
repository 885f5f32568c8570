import type { Context } from 'hono';
import type { Door } from '../doors/door.js';
import type { AppDeps } from '../context.js';
import type { DecisionExplainer } from '../explain/explainer.js';
import type { RequestObservation } from '../observe/observer.js';
import type { Usage } from '../providers/provider.js';
import type { Operation, ProxiedBody, Upstream } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, Runner } from '../table/route.js';
import type { RankRequest } from '../table/strategy.js';
import type { SkipReason } from './candidates.js';

/** One proxied request on its way through the route's backends. */
export interface ProxyCall {
  c: Context;
  deps: AppDeps;
  op: Operation;
  /** The front door the request came through (Responses, Messages); absent for OpenAI's own endpoints. */
  door?: Door | undefined;
  route: CompiledRoute;
  body: ProxiedBody;
  rank: RankRequest;
  promptTokens: (backend: CompiledBackend) => number;
  /** Corrects the admission reservation with the real usage (once). */
  settle: (usage: Usage | undefined, cost: number) => void;
  skip: (backend: CompiledBackend, reason: SkipReason) => void;
  skipped: { backend: string; reason: SkipReason }[];
  /** Releases the request's hold on its table. */
  end: () => void;
  /** Set when the answer is a stream: the stream's end releases the table, not the handler's. */
  streaming?: boolean;
  /** The client's request as routed, when `body` is a runner's own (its final call); what prompt sampling records. */
  routedBody?: ProxiedBody | undefined;
  /** A runner's final call: how it reaches each backend, in place of the request's own. */
  upstreamFor?: ((backend: CompiledBackend) => Upstream) | undefined;
  /** Extra response headers (a runner's summary). */
  extraHeaders?: Readonly<Record<string, string>> | undefined;
  /** Extra headers to backends. */
  upstreamHeaders?: Readonly<Record<string, string>> | undefined;
  /** Savings, tracing, the live view (undefined when none is on). */
  obs: RequestObservation | undefined;
  /** Set when the client asked for `x-switchboard-explanation`. */
  explainer: DecisionExplainer | undefined;
  /** Who runs the request in place of the failover walk: the route's runner (cascade), or the console's comparison. */
  runner: Runner | undefined;
}
