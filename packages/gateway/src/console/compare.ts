import type { Context } from 'hono';
import { badRequest } from '../errors.js';
import type { ProxiedBody } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, RunContext, Runner } from '../table/route.js';

const encoder = new TextEncoder();

/** The backends `?backends=a,b` names on `route` (two at most); 400 for an unknown one. */
function pick(c: Context, route: CompiledRoute): CompiledBackend[] {
  const names = (c.req.query('backends') ?? '').split(',').filter(Boolean);
  if (names.length < 1 || names.length > 2)
    throw badRequest('backends must name one or two backends: ?backends=a,b', 'invalid_backends', 'backends');
  return names.map((n) => {
    const b = route.backends.find((x) => x.name === n);
    if (!b) throw badRequest(`Route ${route.id} has no backend "${n}".`, 'unknown_backend', 'backends');
    return b;
  });
}

/**
 * The console's side-by-side comparison: the same request sent to each
 * named backend at once, through the runner calls the proxy lends (so
 * concurrency limits, health, metrics and savings count them, as tenant
 * "console"), answered as one JSON document.
 */
export function compareRunner(c: Context, route: CompiledRoute): Runner {
  const backends = pick(c, route);
  return {
    async run(ctx: RunContext) {
      const body: ProxiedBody = { ...ctx.body, stream: false };
      delete body.stream_options;
      const answers = await Promise.all(backends.map((b) => ask(ctx, b, body)));
      const json = JSON.stringify({ object: 'comparison', route: route.id, answers });
      return new Response(encoder.encode(json), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}

async function ask(ctx: RunContext, backend: CompiledBackend, body: ProxiedBody) {
  const started = performance.now();
  const r = await ctx.call(backend, body, { evenIfEjected: true, purpose: 'answer' });
  const latencyMs = performance.now() - started;
  if (r.kind === 'answer') {
    return {
      backend: backend.name,
      model: backend.model,
      latencyMs,
      text: ctx.op.completionText(r.json),
      usage: r.usage,
      cost: r.cost,
    };
  }
  return { backend: backend.name, model: backend.model, latencyMs, error: r.kind === 'skipped' ? r.why : r.error.message };
}
