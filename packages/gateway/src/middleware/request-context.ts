import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const VALID_ID = /^[\w.:-]{1,128}$/;

/**
 * Stamps each request with its start time and an id (the caller's
 * `x-request-id` when it is sane, else a new UUID), echoed in the response
 * and forwarded to the backend so logs on both sides line up.
 */
export function requestContext(): MiddlewareHandler {
  return async function requestContext(c, next) {
    c.set('startedAt', performance.now());
    const given = c.req.header('x-request-id');
    const id = given && VALID_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    await next();
    c.header('x-request-id', id);
  };
}
