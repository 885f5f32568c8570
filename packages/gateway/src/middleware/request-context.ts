import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { requestHeader } from '../request/headers.js';

const VALID_ID = /^[\w.:-]{1,128}$/;

/**
 * Stamps each request with its start time and two ids: the gateway's own
 * (a new UUID, what state such as the feedback ledger keys on) and the one
 * echoed in the response and forwarded to the backend so logs on both sides
 * line up: the caller's `x-request-id` when it is sane, else the gateway's.
 * (It is not set here with c.header(): Hono would then copy headers into
 * every response, which costs the proxy path more than the id itself.)
 */
export function requestContext(): MiddlewareHandler {
  return async function requestContext(c, next) {
    c.set('startedAt', performance.now());
    const given = requestHeader(c, 'x-request-id');
    const own = randomUUID();
    c.set('gatewayId', own);
    c.set('requestId', given && VALID_ID.test(given) ? given : own);
    await next();
  };
}
