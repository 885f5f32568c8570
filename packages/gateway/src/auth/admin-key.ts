import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { GatewayError } from '../errors.js';
import { requestHeader } from '../request/headers.js';

/**
 * Who may see the admin views (every tenant's savings, the console):
 * anyone (`switchboard dev` without an admin key), or whoever shows the
 * admin key. The key is held as its SHA-256 digest only.
 */
export type AdminAccess = { kind: 'open' } | { kind: 'key'; digest: Buffer };

declare module 'hono' {
  interface ContextVariableMap {
    /** The request showed the admin key. */
    admin: boolean | undefined;
  }
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** Admin access with `key` (trimmed); open when there is none and the process is `dev`; undefined = nobody. */
export function adminAccess(key: string | undefined, dev: boolean): AdminAccess | undefined {
  const k = key?.trim();
  if (k) return { kind: 'key', digest: digest(k) };
  return dev ? { kind: 'open' } : undefined;
}

/** The key a request shows: `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedKey(c: Context): string | undefined {
  const header = requestHeader(c, 'authorization');
  return header && /^bearer /i.test(header) ? header.slice(7).trim() : requestHeader(c, 'x-api-key');
}

function showsAdminKey(access: AdminAccess | undefined, c: Context): boolean {
  if (access?.kind !== 'key') return false;
  const key = presentedKey(c);
  return key !== undefined && timingSafeEqual(digest(key), access.digest);
}

/**
 * Recognises the admin key on the few /v1 paths that take it (savings,
 * explain), before API-key auth: those requests are then the admin's, and
 * API-key auth lets them through. Elsewhere the admin key is no API key.
 */
export function adminKey(access: AdminAccess | undefined, paths: readonly string[]): MiddlewareHandler {
  const accepted = new Set(paths);
  return async function adminKey(c, next) {
    if (accepted.has(c.req.path) && showsAdminKey(access, c)) c.set('admin', true);
    await next();
  };
}

/** True when the request may see the admin views. */
export function isAdmin(c: Context, access: AdminAccess | undefined): boolean {
  return c.get('admin') === true || access?.kind === 'open';
}

/** The console's gate: the admin key (or open access in dev), else 401 naming what is missing. */
export function requireAdmin(access: AdminAccess | undefined): MiddlewareHandler {
  return async function requireAdmin(c, next) {
    if (access?.kind !== 'open' && !showsAdminKey(access, c)) {
      throw new GatewayError(
        401,
        'authentication_error',
        access ? 'This needs the admin key: send it as "Authorization: Bearer <key>".' : 'No admin key is configured.',
        { code: 'invalid_admin_key', headers: { 'www-authenticate': 'Bearer' } },
      );
    }
    c.set('admin', true);
    await next();
  };
}
