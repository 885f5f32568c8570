import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { estimateUsage, requestedOutputTokens } from '../limits/estimate.js';
import type { Reservation } from '../limits/admission.js';
import { providerFor } from '../providers/index.js';
import type { Operation } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import { PromptAnalysis } from '../request/prompt-analysis.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import type { Door } from '../doors/door.js';
import type { CompiledBackend } from '../table/backend.js';
import type { RankRequest } from '../table/strategy.js';
import { dropUnfit, orderByHealth, type SkipReason } from './candidates.js';
import { lookupRoute } from './model-lookup.js';
import type { ProxyCall } from './proxy-call.js';
import { runWith } from './run-context.js';
import { walkBackends } from './walk.js';

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
const NOTHING_RESERVED: Reservation = { settle: () => undefined };

/**
 * The handler for one proxied OpenAI endpoint: parse and check the body,
 * find the route (on the table the request holds until it ends), admit the
 * request against limits and budgets, let the route's strategy rank the
 * backends, then walk that ranking (skipping unhealthy, saturated and
 * too-small backends) until one answers, within maxAttempts and the route's
 * retry budget — or hand the request to the strategy's runner (cascade).
 * With a front `door` (Responses, Messages), `op` is chat completions: the
 * door turns its request into one and its answers back.
 */
export function proxyHandler(op: Operation, deps: AppDeps, door?: Door) {
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const bytes = await readBody(c, limit);
    const json = parseJsonObject(requestHeader(c, 'content-type'), bytes);
    // A front door's request is routed as the chat completions request it stands for.
    const body = door ? await door.toRouted(json, c) : op.validate(json);
    const lease = deps.tables.acquire();
    let streaming = false;
    try {
      const { route, thresholdOverride } = lookupRoute(body.model, lease.table, c.get('caller'));
      c.set('routeId', route.id);
      const analysis = new PromptAnalysis(op, body, route.strategy.router);
      const promptTokens = (b: CompiledBackend) => analysis.tokens(b.tokenizer);
      const metadata = body.metadata;
      const rank: RankRequest = {
        prompt: () => analysis.text(),
        routerOutputs: () => analysis.routerOutputs(),
        header: (name) => requestHeader(c, name),
        metadata: metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined,
        promptTokens,
        maxOutputTokens: requestedOutputTokens(body),
        thresholdOverride,
      };
      const skipped: ProxyCall['skipped'] = [];
      const call: ProxyCall = {
        c,
        deps,
        op,
        door,
        route,
        body,
        rank,
        promptTokens,
        settle: () => undefined,
        skipped,
        skip: (b: CompiledBackend, reason: SkipReason) => {
          skipped.push({ backend: b.name, reason });
          deps.metrics.skipped.inc({ route: route.id, backend: b.name, reason });
        },
        end: lease.release,
      };
      const response = await forward(call, random);
      streaming = call.streaming === true;
      return response;
    } finally {
      // A stream holds the table until it ends (the relay releases it); every other way out releases it now.
      if (!streaming) lease.release();
    }
  };
}

async function forward(call: ProxyCall, random: () => number): Promise<Response> {
  const { c, deps, op, route, body, rank } = call;
  deps.states.route(route).budget.onRequest();
  // The request's one native call: the prompt's tokens (and the router's outputs when the strategy has one).
  call.promptTokens(route.backends[0] as CompiledBackend);
  // Admission first: a caller over its limits costs no classifier, embeddings or cascade call.
  const caller = c.get('caller');
  const reservation = deps.admission?.applies(caller, route)
    ? await deps.admission.admit(
        caller,
        route,
        route.runner?.estimate?.(rank, random) ?? estimateUsage(op, route, body, call.promptTokens),
      )
    : NOTHING_RESERVED;
  call.settle = (usage, cost) => reservation.settle(usage, cost);
  try {
    if (route.runner) return await runWith(call, route.runner);
    // Most strategies rank synchronously: no await (and no extra tick) unless one returned a promise.
    const ranked = route.strategy.rank(random, rank);
    const pending = orderByHealth(
      ranked instanceof Promise ? await ranked : ranked,
      deps.states.route(route),
      performance.now(),
      call.skip,
    );
    if (rank.decision) deps.metrics.routerDecisions.inc({ route: route.id, decision: rank.decision.slice(0, 63) });
    dropUnfit(
      pending,
      {
        supports: (b) => providerFor(b.provider).supports(op),
        needs: op.needs(body),
        tokens: (b) => call.promptTokens(b) + rank.maxOutputTokens,
      },
      call.skip,
    );
    return await walkBackends(call, pending);
  } catch (err) {
    // Nothing answered: whatever was reserved is given back (a reservation settles once).
    call.settle(undefined, 0);
    throw err;
  }
}
