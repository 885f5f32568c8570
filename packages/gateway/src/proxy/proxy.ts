import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { explainerFor } from '../explain/explainer.js';
import { estimateUsage } from '../limits/estimate.js';
import type { Reservation } from '../limits/admission.js';
import type { RequestObservation } from '../observe/observer.js';
import { requestStart } from '../observe/start.js';
import { providerFor } from '../providers/index.js';
import type { Operation } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import { PromptAnalysis } from '../request/prompt-analysis.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import { DEPTH_HEADER, depthHeaders, requestDepth } from './loop-guard.js';
import type { Door } from '../doors/door.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, Runner } from '../table/route.js';
import { ClientClosedError } from '../upstream/errors.js';
import { dropUnfit, orderByHealth, type SkipReason } from './candidates.js';
import { lookupRoute } from './model-lookup.js';
import type { ProxyCall } from './proxy-call.js';
import { rankRequest } from './rank-request.js';
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
export function proxyHandler(op: Operation, deps: AppDeps, options: ProxyOptions = {}) {
  const { door } = options;
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const bytes = await readBody(c, limit);
    const depth = requestDepth(requestHeader(c, DEPTH_HEADER));
    const json = parseJsonObject(requestHeader(c, 'content-type'), bytes);
    // A front door's request is routed as the chat completions request it stands for.
    const body = door ? await door.toRouted(json, c) : op.validate(json);
    const lease = deps.tables.acquire();
    let streaming = false;
    let obs: RequestObservation | undefined;
    let rank: ProxyCall['rank'] | undefined;
    try {
      const { route, thresholdOverride } = lookupRoute(body.model, lease.table, c.get('caller'));
      c.set('routeId', route.id);
      const analysis = new PromptAnalysis(op, body, route.strategy.router);
      rank = rankRequest(c, analysis, body, thresholdOverride);
      obs = deps.observer?.begin(requestStart(c, op, route, body, analysis));
      const skipped: ProxyCall['skipped'] = [];
      const call: ProxyCall = {
        c,
        deps,
        op,
        door,
        route,
        body,
        rank,
        promptTokens: (b) => analysis.tokens(b.tokenizer),
        settle: () => undefined,
        skipped,
        skip: (b: CompiledBackend, reason: SkipReason) => {
          skipped.push({ backend: b.name, reason });
          deps.metrics.skipped.inc({ route: route.id, backend: b.name, reason });
        },
        end: lease.release,
        upstreamHeaders: depthHeaders(depth),
        obs,
        explainer: explainerFor(requestHeader(c, 'x-switchboard-explain'), route.strategy.name, rank),
        runner: options.runnerFor ? options.runnerFor(c, route) : route.runner,
      };
      const response = await forward(call, random);
      streaming = call.streaming === true;
      if (!streaming) obs?.end(requestEnd(c, response.status, rank));
      return response;
    } catch (err) {
      obs?.end(requestEnd(c, statusOf(err), rank));
      throw err;
    } finally {
      // A stream holds the table until it ends (the relay releases it); every other way out releases it now.
      if (!streaming) lease.release();
    }
  };
}

/** Options of one proxied endpoint. */
export interface ProxyOptions {
  /** The front door the endpoint is (Responses, Messages); absent for the OpenAI endpoints of `op` itself. */
  door?: Door;
  /** A runner in place of the route's own (the console's side-by-side comparison of two backends). */
  runnerFor?: (c: Context, route: CompiledRoute) => Runner;
}

const statusOf = (err: unknown) => (err instanceof GatewayError ? err.status : err instanceof ClientClosedError ? 499 : 500);

const requestEnd = (c: Context, status: number, rank: ProxyCall['rank'] | undefined) => ({
  status,
  backend: c.get('backendName'),
  decision: rank?.decision,
  score: rank?.score,
});

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
    if (call.runner) return await runWith(call, call.runner);
    const startedAt = call.obs ? performance.now() : 0;
    // Most strategies rank synchronously: no await (and no extra tick) unless one returned a promise.
    const ranked = route.strategy.rank(random, rank);
    const asked = ranked instanceof Promise;
    const pending = orderByHealth(asked ? await ranked : ranked, deps.states.route(route), performance.now(), call.skip);
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
    call.explainer?.ranked(pending, call.skipped);
    call.obs?.routed({
      strategy: route.strategy.name,
      decision: rank.decision,
      score: rank.score,
      ranking: pending.map((p) => p.backend),
      skipped: call.skipped,
      asked,
      startedAt,
      endedAt: performance.now(),
    });
    return await walkBackends(call, pending);
  } catch (err) {
    // Nothing answered: whatever was reserved is given back (a reservation settles once).
    call.settle(undefined, 0);
    throw err;
  }
}
