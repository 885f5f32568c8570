import type { Context } from 'hono';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import type { RankRequest } from '../table/strategy.js';

/** Headers of every proxied answer: request id, route, backend, and the routing decision with its score. */
export function responseHeaders(
  c: Context,
  route: CompiledRoute,
  backend: CompiledBackend,
  type: string,
  rank?: RankRequest,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-request-id': c.get('requestId'),
    'x-switchboard-route': route.id,
    'x-switchboard-backend': backend.name,
    'content-type': type,
  };
  if (rank?.decision) headers['x-switchboard-decision'] = rank.decision;
  if (rank?.score !== undefined && Number.isFinite(rank.score)) headers['x-switchboard-score'] = rank.score.toFixed(4);
  return headers;
}
