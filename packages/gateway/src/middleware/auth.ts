import type { MiddlewareHandler } from 'hono';
import type { ApiKeyRegistry } from '../auth/api-keys.js';
import { GatewayError } from '../errors.js';
import { requestHeader } from '../request/headers.js';

/** Either every /v1 request shows a known key, or auth was turned off on purpose. */
export type AuthMode = { kind: 'disabled' } | { kind: 'keys'; registry: () => ApiKeyRegistry };

const unauthorized = (message: string) =>
  new GatewayError(401, 'authentication_error', message, { code: 'invalid_api_key', headers: { 'www-authenticate': 'Bearer' } });

/**
 * Checks `Authorization: Bearer <key>` (or `x-api-key`, which Anthropic-style
 * clients send). The key itself never reaches logs, metrics or errors.
 */
export function apiKeyAuth(mode: AuthMode): MiddlewareHandler {
  return async function apiKeyAuth(c, next) {
    if (mode.kind === 'disabled') return next();
    const header = requestHeader(c, 'authorization');
    // RFC 7235: the auth scheme is case-insensitive ("bearer" and "BEARER" are Bearer too).
    const key = header && /^bearer /i.test(header) ? header.slice(7).trim() : requestHeader(c, 'x-api-key');
    if (!key) throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>".');
    const caller = mode.registry().authenticate(key);
    if (!caller) throw unauthorized('Incorrect API key provided.');
    c.set('caller', caller);
    await next();
  };
}
