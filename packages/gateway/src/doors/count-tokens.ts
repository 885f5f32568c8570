import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { lookupRoute } from '../proxy/model-lookup.js';
import { chatCompletions, type ProxiedBody } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';

/**
 * The prompt tokens of a door's request, routed as chat completions: its
 * messages as the native tokenizer counts them (the count routing and
 * limits use) plus its tool definitions, with the tokenizer of the route's
 * first backend. The caller must be allowed the route, as for a request.
 */
export function countPromptTokens(deps: AppDeps, c: Context, routed: ProxiedBody): number {
  const lease = deps.tables.acquire();
  try {
    const { route } = lookupRoute(routed.model, lease.table, c.get('caller'));
    const tokenizer = (route.backends[0] as CompiledBackend).tokenizer;
    const messages = chatCompletions.promptTokens(tokenizer, chatCompletions.view(routed));
    const tools = Array.isArray(routed.tools) && routed.tools.length ? tokenizer.count(JSON.stringify(routed.tools)) : 0;
    return messages + tools;
  } finally {
    lease.release();
  }
}
