import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header (name in lower case). On Node it reads the
 * IncomingMessage's parsed headers: `c.req.header()` would make
 * @hono/node-server build a Web `Headers` object for every request.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
