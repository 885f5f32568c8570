import type { Context, Hono } from 'hono';
import { requireAdmin } from '../auth/admin-key.js';
import { compareRunner } from '../console/compare.js';
import { overview } from '../console/overview.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { explainHandler } from '../explain/explain-route.js';
import { proxyHandler } from '../proxy/proxy.js';
import { chatCompletions } from '../request/operations.js';
import { savingsRoute } from './savings.js';

// Everything the console's pages load comes from the gateway itself; the charts draw inline styles.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";

/**
 * The web console (read-only): its built pages at /console/ (open: they
 * hold no data) and its data at /console/api/* (the admin key, or open in
 * `switchboard dev`). Mounted only when the console is enabled.
 */
export function mountConsole(app: Hono, deps: AppDeps): void {
  const console = deps.console;
  if (!console) return;
  app.get('/console', (c) => c.redirect('/console/', 301));
  app.get('/console/*', (c, next) => (c.req.path.startsWith('/console/api/') ? next() : serveAsset(c, deps)));
  app.use('/console/api/*', requireAdmin(deps.admin));
  app.get('/console/api/overview', async (c) => c.json(await overview(deps)));
  app.get('/console/api/decisions', (c) => c.json(console.recent.list(Number(c.req.query('after') ?? 0) || 0)));
  app.get('/console/api/stats', (c) => c.json(console.recent.stats(Number(c.req.query('minutes') ?? 60) || 60)));
  app.get('/console/api/savings', savingsRoute(deps));
  app.post('/console/api/explain', explainHandler(deps));
  const compare = proxyHandler(chatCompletions, deps, { runnerFor: compareRunner });
  app.post('/console/api/compare', (c) => {
    c.set('consoleCall', true);
    return compare(c);
  });
  app.all('/console/api/*', () => {
    throw new GatewayError(404, 'not_found_error', 'Unknown console API path.', { code: 'unknown_url' });
  });
}

function serveAsset(c: Context, deps: AppDeps): Response {
  const path = c.req.path.slice('/console/'.length);
  const asset = deps.console?.assets.get(path);
  if (!asset) throw new GatewayError(404, 'not_found_error', `Unknown console file ${c.req.path}.`, { code: 'unknown_url' });
  return new Response(asset.bytes, {
    headers: {
      'content-type': asset.type,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  });
}
