import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { readBody } from '../request/read-body.js';
import { requestHeader } from '../request/headers.js';
import { parseJsonObject } from '../request/read-json.js';
import { learningStore } from '../routing/bandit/store.js';

/**
 * POST /v1/feedback {"request_id": "...", "score": 0..1}: the quality of an
 * earlier answer (the request id is the x-request-id the gateway returned),
 * for routes that learn online (strategy bandit). Answers are remembered for
 * an hour (with Redis, by every replica).
 */
export function feedback(deps: AppDeps) {
  return async (c: Context): Promise<Response> => {
    const body = parseJsonObject(requestHeader(c, 'content-type'), await readBody(c, 64 * 1024));
    const id = body.request_id;
    const score = body.score;
    if (typeof id !== 'string' || !id) {
      throw new GatewayError(400, 'invalid_request_error', '`request_id` must be the x-request-id of an earlier answer.', {
        param: 'request_id',
      });
    }
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) {
      throw new GatewayError(400, 'invalid_request_error', '`score` must be a number from 0 (bad) to 1 (good).', {
        param: 'score',
      });
    }
    const record = await learningStore().recall(id);
    if (!record) {
      throw new GatewayError(
        404,
        'not_found_error',
        `No answer with request id \`${id.slice(0, 128)}\` is awaiting feedback (unknown, older than an hour, or its route does not learn from feedback).`,
        {
          code: 'request_not_found',
          param: 'request_id',
        },
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
