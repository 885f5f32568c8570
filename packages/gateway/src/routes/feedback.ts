import type { Context } from 'hono';
import { ownerOf } from '../auth/api-keys.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { readBody } from '../request/read-body.js';
import { requestHeader } from '../request/headers.js';
import { parseJsonObject } from '../request/read-json.js';

/**
 * POST /v1/feedback {"request_id": "...", "score": 0..1}: the quality of an
 * earlier answer, for routes that learn online (strategy bandit). The id is
 * the answer's `x-switchboard-feedback-id` (the gateway's own id, never one
 * a client chose). Only the API key that made the request may score it, and
 * only once; answers wait an hour (with Redis, on every replica). Anyone
 * else's id, a replay and an unknown id all get the same 404.
 */
export function feedback(deps: AppDeps) {
  return async (c: Context): Promise<Response> => {
    const body = parseJsonObject(requestHeader(c, 'content-type'), await readBody(c, 64 * 1024));
    const id = body.request_id;
    const score = body.score;
    if (typeof id !== 'string' || !id || id.length > 128) {
      throw new GatewayError(
        400,
        'invalid_request_error',
        '`request_id` must be the x-switchboard-feedback-id of an earlier answer.',
        { param: 'request_id', code: 'invalid_value' },
      );
    }
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) {
      throw new GatewayError(400, 'invalid_request_error', '`score` must be a number from 0 (bad) to 1 (good).', {
        param: 'score',
        code: 'invalid_value',
      });
    }
    let record;
    try {
      record = await deps.learning.take(ownerOf(c.get('caller')), id);
    } catch (err) {
      throw new GatewayError(503, 'server_error', 'Feedback cannot be recorded right now (learning store unavailable).', {
        code: 'learning_store_unavailable',
        headers: { 'retry-after': '1' },
        cause: err,
      });
    }
    if (!record) {
      throw new GatewayError(
        404,
        'not_found_error',
        `No answer of yours with id \`${id}\` is awaiting feedback (unknown, already scored, older than an hour, or its route does not learn from feedback).`,
        { code: 'request_not_found', param: 'request_id' },
      );
    }
    const route = deps.tables.current().routes.find((r) => r.id === record.routeId);
    if (!route?.strategy.feedback) {
      throw new GatewayError(409, 'invalid_request_error', `Route ${record.routeId} no longer learns from feedback.`, {
        code: 'route_changed',
      });
    }
    route.strategy.feedback(record, score);
    deps.metrics.feedback.inc({ route: route.id });
    return c.json({
      object: 'feedback',
      request_id: id,
      route: route.id,
      backend: record.backend,
      context: record.context,
      score,
    });
  };
}
