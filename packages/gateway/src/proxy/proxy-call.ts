import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import type { Usage } from '../providers/provider.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import type { RankRequest } from '../table/strategy.js';
import type { SkipReason } from './candidates.js';

/** One proxied request on its way through the route's backends. */
export interface ProxyCall {
  c: Context;
  deps: AppDeps;
  op: Operation;
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
}
