import type { Context } from 'hono';
import type { Operation, ProxiedBody } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import type { PromptAnalysis } from '../request/prompt-analysis.js';
import type { CompiledRoute } from '../table/route.js';
import type { RequestStart } from './observer.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the console for the calls it makes itself (side-by-side comparisons): their tenant is "console". */
    consoleCall: boolean | undefined;
  }
}

/** The tenant a request's traffic is counted under. */
export function tenantOf(c: Context): string {
  return c.get('caller')?.tenant ?? (c.get('consoleCall') ? 'console' : '-');
}

/** What observers are told when a request's route is found. */
export function requestStart(
  c: Context,
  op: Operation,
  route: CompiledRoute,
  body: ProxiedBody,
  analysis: PromptAnalysis,
): RequestStart {
  return {
    requestId: c.get('requestId'),
    startedAt: c.get('startedAt'),
    op,
    route,
    model: body.model,
    body,
    tenant: tenantOf(c),
    header: (name) => requestHeader(c, name),
    prompt: () => analysis.text(),
  };
}
