import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { badRequest } from '../errors.js';
import { estimateUsage } from '../limits/estimate.js';
import { dropUnfit, orderByHealth, type SkipReason } from '../proxy/candidates.js';
import { lookupRoute } from '../proxy/model-lookup.js';
import { rankRequest } from '../proxy/rank-request.js';
import { providerFor } from '../providers/index.js';
import { requestHeader } from '../request/headers.js';
import { chatCompletions, completions, embeddings, type Operation } from '../request/operations.js';
import { PromptAnalysis } from '../request/prompt-analysis.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import type { CompiledBackend } from '../table/backend.js';
import { composeExplanation } from './compose.js';
import { DecisionExplainer } from './explainer.js';

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
const BY_ENDPOINT: Readonly<Record<string, Operation>> = {
  'chat/completions': chatCompletions,
  completions,
  embeddings,
};

/** The operation a body is for: `?endpoint=` when given, else its shape (messages, prompt, input). */
function operationOf(endpoint: string | undefined, body: Record<string, unknown>): Operation {
  if (endpoint !== undefined) {
    const op = BY_ENDPOINT[endpoint];
    if (!op) throw badRequest(`endpoint must be one of ${Object.keys(BY_ENDPOINT).join(', ')}`, 'invalid_endpoint', 'endpoint');
    return op;
  }
  if ('messages' in body) return chatCompletions;
  if ('prompt' in body) return completions;
  if ('input' in body) return embeddings;
  throw badRequest('The body has no messages, prompt or input: there is nothing to route.', 'invalid_request', 'messages');
}

/**
 * `POST /v1/route/explain`: what the gateway would do with this body, by
 * the proxy's own steps — route lookup, the prompt's one native analysis,
 * the admission estimate (limits read, not taken), the strategy's ranking,
 * health and fit — without calling any backend. A strategy that asks a
 * remote model to decide (remote embeddings, a Triton classifier) does ask
 * it, and the answer says so (`askedModel`); for an API-key holder that
 * takes one request from the requests-per-minute limits.
 */
export function explainHandler(deps: AppDeps) {
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const json = parseJsonObject(requestHeader(c, 'content-type'), await readBody(c, limit));
    const op = operationOf(c.req.query('endpoint'), json);
    const body = op.validate(json);
    const lease = deps.tables.acquire();
    try {
      const caller = c.get('caller');
      const { route, thresholdOverride } = lookupRoute(body.model, lease.table, caller);
      const analysis = new PromptAnalysis(op, body, route.strategy.router);
      const rank = rankRequest(c, analysis, body, thresholdOverride);
      const explainer = new DecisionExplainer(route.strategy.name);
      rank.explain = explainer;
      // What admission would reserve: a runner's whole run (every call it makes), else one call's worst case.
      const estimate = route.runner?.estimate?.(rank, random) ?? estimateUsage(op, route, body, (b) => rank.promptTokens(b));
      const admission = deps.admission?.applies(caller, route) ? deps.admission : undefined;
      const limits = admission ? await admission.preview(caller, route, estimate).catch(() => 'unavailable' as const) : undefined;
      // Asking a remote model is a real call: for an API-key holder it counts as a request
      // (requests per minute only), or explain would be a way round every rate limit.
      if (admission && route.strategy.asksModel && c.get('admin') !== true) await admission.admitRequest(caller, route);
      const ranked = route.strategy.rank(random, rank);
      const asked = ranked instanceof Promise;
      const state = deps.states.route(route);
      const now = performance.now();
      const skipped: { backend: string; reason: SkipReason }[] = [];
      const skip = (b: CompiledBackend, reason: SkipReason) => skipped.push({ backend: b.name, reason });
      const pending = orderByHealth(asked ? await ranked : ranked, state, now, skip);
      const needs = op.needs(body);
      const outputTokens = (b: CompiledBackend) =>
        op.name === 'embeddings' ? 0 : rank.maxOutputTokens || b.maxOutputTokens || route.reserveOutputTokens;
      // A runner (cascade) calls its stages itself; only the walk drops unfit backends first.
      if (!route.runner) {
        const fit = { supports: (b: CompiledBackend) => providerFor(b.provider).supports(op), needs };
        dropUnfit(pending, { ...fit, tokens: (b) => rank.promptTokens(b) + rank.maxOutputTokens }, skip);
      }
      explainer.ranked(pending, skipped);
      const input = {
        route,
        model: body.model,
        endpoint: op.name,
        rank,
        random,
        explainer,
        state,
        pending,
        needs,
        limits,
        asked,
      };
      return c.json(composeExplanation({ ...input, outputTokens, now }));
    } finally {
      lease.release();
    }
  };
}
