import type { Context } from 'hono';
import { mayUse } from '../auth/api-keys.js';
import type { CompiledBackend, CompiledRoute, RouteTable } from '../config/route-table.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { providerFor } from '../providers/index.js';
import { grpcAttempt } from '../providers/triton/grpc/attempt.js';
import { isGrpc } from '../providers/triton/grpc/clients.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import { PromptTokens } from '../request/prompt-tokens.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import { dropUnfit, orderByHealth, takeSlot, type SkipReason } from '../routing/candidates.js';
import type { RankRequest } from '../routing/index.js';
import { attempt, type AttemptOutcome } from '../upstream/attempt.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError, transportError } from '../upstream/errors.js';
import { relaySse } from '../upstream/relay-stream.js';
import { forwardCascade } from './cascade.js';
import { responseHeaders } from './response-headers.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
const encoder = new TextEncoder();

/**
 * The handler for one proxied OpenAI endpoint: parse and check the body,
 * find the route, let its strategy rank the backends, then walk that
 * ranking (skipping unhealthy, saturated and too-small backends) until one
 * answers, within maxAttempts and the route's retry budget.
 */
export function proxyHandler(op: Operation, deps: AppDeps) {
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const bytes = await readBody(c, limit);
    const body = op.validate(parseJsonObject(requestHeader(c, 'content-type'), bytes));
    const table = deps.tables.current();
    const rankRequest = rankRequestFor(c, op, body);
    const route = table.byModel.get(body.model) ?? routeLLMSyntax(body.model, table, rankRequest);
    if (!route) throw modelNotFound(body.model, table);
    const caller = c.get('caller');
    if (!mayUse(caller, route, body.model)) {
      throw new GatewayError(403, 'permission_error', `API key "${caller?.keyName}" may not use model \`${body.model}\`.`, {
        code: 'model_not_allowed',
        param: 'model',
      });
    }
    c.set('routeId', route.id);
    return forward(c, deps, op, route, body, random, rankRequest);
  };
}

/**
 * RouteLLM's client syntax: `router-<router>-<threshold>` (e.g. router-mf-0.3)
 * picks the first route whose learned router answers to that name, with the
 * threshold overridden for this request.
 */
function routeLLMSyntax(model: string, table: RouteTable, request: RankRequest): CompiledRoute | undefined {
  const m = /^router-(.+)-(\d+(?:\.\d+)?)$/.exec(model);
  if (!m?.[1] || !m[2]) return undefined;
  const threshold = Number(m[2]);
  if (!(threshold >= 0 && threshold <= 1)) return undefined;
  const route = table.routes.find((r) => r.strategy.routerNames?.includes(m[1] as string));
  if (route) request.thresholdOverride = threshold;
  return route;
}

/** What strategies may read about this request; the prompt text is extracted only when asked for. */
function rankRequestFor(c: Context, op: Operation, body: ProxiedBody): RankRequest {
  let prompt: string | undefined;
  const metadata = body.metadata;
  return {
    prompt: () => (prompt ??= promptText(op, body)),
    header: (name) => c.req.header(name),
    metadata: metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined,
    maxOutputTokens: requestedOutputTokens(body),
  };
}

/** What a learned router reads: the last user message of a chat, or a completion's prompt. */
function promptText(op: Operation, body: ProxiedBody): string {
  if (op.name === 'chat') {
    const messages = body.messages as { role?: string; content?: unknown }[];
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m?.role !== 'user') continue;
      if (typeof m.content === 'string') return m.content;
      if (Array.isArray(m.content))
        return (m.content as { type?: string; text?: string }[]).map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('\n');
    }
    return '';
  }
  if (op.name === 'text_completion') {
    const prompt = body.prompt;
    return Array.isArray(prompt)
      ? prompt.filter((p): p is string => typeof p === 'string').join('')
      : typeof prompt === 'string'
        ? prompt
        : '';
  }
  return '';
}

async function forward(
  c: Context,
  deps: AppDeps,
  op: Operation,
  route: CompiledRoute,
  body: ProxiedBody,
  random: () => number,
  rankRequest: RankRequest,
): Promise<Response> {
  const state = deps.states.route(route);
  state.budget.onRequest();
  const now = performance.now();
  const skipped: { backend: string; reason: SkipReason }[] = [];
  const skip = (b: CompiledBackend, reason: SkipReason) => {
    skipped.push({ backend: b.name, reason });
    deps.metrics.skipped.inc({ route: route.id, backend: b.name, reason });
  };
  const maxOutput = requestedOutputTokens(body);
  const prompt = new PromptTokens(op, body);
  const promptTokens = (b: CompiledBackend) => prompt.for(b.tokenizer);
  rankRequest.promptTokens = promptTokens;
  // Most strategies rank synchronously: no await (and no extra tick) unless one returned a promise.
  const ranked = route.strategy.rank(random, rankRequest);
  const pending = orderByHealth(ranked instanceof Promise ? await ranked : ranked, state, now, skip);
  if (rankRequest.decision) deps.metrics.routerDecisions.inc({ route: route.id, decision: decisionLabel(rankRequest.decision) });
  dropUnfit(
    pending,
    { supports: (b) => providerFor(b.provider).supports(op), needs: op.needs(body), tokens: (b) => promptTokens(b) + maxOutput },
    skip,
  );

  const first = pending[0]?.backend ?? route.backends[0];
  const caller = c.get('caller');
  const reservation = deps.admission?.applies(caller, route)
    ? await deps.admission.admit(caller, route, first ? promptTokens(first) : 0, maxOutput)
    : undefined;
  const settle = (usage: { promptTokens: number; completionTokens: number } | undefined, cost: number) =>
    reservation?.settle(usage, cost);
  if (route.strategy.cascade) {
    return forwardCascade({ c, deps, op, route, body, rank: rankRequest, plan: route.strategy.cascade, promptTokens, settle });
  }
  // Online learners hear how each answer went: latency to the end of the answer, and its cost.
  const observe = route.strategy.observe?.bind(route.strategy);
  const settleAnswered = (backend: CompiledBackend, answer?: () => unknown) =>
    observe
      ? (usage: { promptTokens: number; completionTokens: number } | undefined, cost: number) => {
          settle(usage, cost);
          observe({
            requestId: c.get('requestId'),
            backend: backend.name,
            context: rankRequest.context ?? '',
            latencyMs: performance.now() - c.get('startedAt'),
            cost,
            // Non-streaming answers only: an evaluator may read them.
            texts: answer && (() => ({ prompt: rankRequest.prompt(), answer: op.completionText(answer()) })),
          });
        }
      : settle;

  const call = new CallSignal(c, route.timeouts.total);
  let attempts = 0;
  let lastError: GatewayError | undefined;
  try {
    while (attempts < route.resilience.maxAttempts) {
      const slot = await takeSlot(pending, state, route.timeouts.connect, skip);
      if (!slot) break;
      if (call.reason === 'client') {
        slot.release();
        throw new ClientClosedError();
      }
      if (attempts > 0 && !state.budget.tryRetry()) {
        slot.release();
        deps.metrics.retryBudgetExhausted.inc({ route: route.id });
        break;
      }
      attempts++;
      const { backend } = slot;
      const health = state.backends.get(backend.name)?.health;
      if (slot.probe) health?.beginProbe();
      c.set('backendName', backend.name);
      const provider = providerFor(backend.provider);
      const metrics = deps.metrics.forCall(
        { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
        route.strategy.name,
      );
      metrics.decisions.inc();
      const recordFor = (upstreamStart: number, answer?: () => unknown) =>
        new CallRecord(metrics, op, provider, backend, promptTokens(backend), upstreamStart, settleAnswered(backend, answer));
      const outcome: AttemptOutcome = isGrpc(backend)
        ? await grpcAttempt(deps.pools.grpc, route, backend, op, body, call, c.get('requestId'))
        : await attempt(
            deps.pools,
            route,
            backend,
            provider.buildRequest(op, backend, body, c.get('requestId')),
            call,
            Boolean(body.stream),
          );
      const at = performance.now();
      switch (outcome.kind) {
        case 'json': {
          slot.release();
          health?.success(at);
          const answer = provider.toOpenAI ? provider.toOpenAI(outcome.json, { op, body, backend }) : outcome.json;
          const record = recordFor(outcome.upstreamStart, () => answer);
          record.complete(answer);
          record.finish(200, outcome.bodyEnd);
          metrics.overhead.observe(Math.max(0, at - c.get('startedAt') - (outcome.bodyEnd - outcome.upstreamStart)) / 1000);
          // OpenAI-family answers go back byte for byte; translated ones are serialised once.
          const bytes = answer === outcome.json ? outcome.bytes : encoder.encode(JSON.stringify(answer));
          return new Response(bytes, {
            status: 200,
            headers: responseHeaders(c, route, backend, 'application/json', rankRequest),
          });
        }
        case 'stream': {
          health?.success(at);
          metrics.timeToFirstChunk.observe((at - outcome.upstreamStart) / 1000);
          const record = recordFor(outcome.upstreamStart);
          const translator = provider.streamTranslator?.({ op, body, backend });
          const stream = relaySse(
            outcome.body,
            outcome.chunks,
            outcome.first,
            {
              onEvent: (payload) => record.streamEvent(payload),
              onEnd: (result, error) => {
                slot.release();
                call.done();
                if (translator?.usage) record.useUsage(translator.usage);
                record.finish(result === 'ok' ? 200 : result === 'client_closed' ? 499 : (error?.status ?? 502));
              },
            },
            {
              transport: (err) =>
                call.reason === 'client'
                  ? new GatewayError(499, 'upstream_error', 'client closed')
                  : transportError(err, backend.name, route.timeouts),
              malformed: () =>
                new GatewayError(
                  502,
                  'upstream_error',
                  `Backend "${backend.name}" sent a stream event that is not valid JSON; the stream was ended.`,
                  { code: 'upstream_malformed' },
                ),
            },
            translator,
          );
          metrics.overhead.observe(Math.max(0, at - c.get('startedAt') - (outcome.headersAt - outcome.upstreamStart)) / 1000);
          const headers = responseHeaders(c, route, backend, 'text/event-stream; charset=utf-8', rankRequest);
          headers['cache-control'] = 'no-cache';
          return new Response(stream, { status: 200, headers });
        }
        case 'client_closed':
          slot.release();
          throw new ClientClosedError();
        case 'fail':
          slot.release();
          if (outcome.backendHealthy) health?.success(at);
          else health?.failure(at);
          metrics.requests(outcome.error.status).inc();
          throw outcome.error;
        case 'retry':
          slot.release();
          if (outcome.reason === '429') health?.rateLimited(at + (outcome.retryAfterMs ?? 1000));
          else health?.failure(at);
          metrics.requests(outcome.error.status).inc();
          lastError = outcome.error;
          if (!route.resilience.retryOn.has(outcome.reason)) throw outcome.error;
          deps.metrics.retries.inc({ route: route.id, backend: backend.name, reason: outcome.reason });
          break;
      }
    }
  } catch (err) {
    call.done();
    settle(undefined, 0);
    throw err;
  }
  call.done();
  settle(undefined, 0);
  throw noBackendAnswered(route, lastError, skipped, promptTokens, maxOutput);
}

/** `max_completion_tokens` or `max_tokens`: what the prompt must leave room for. */
export function requestedOutputTokens(body: ProxiedBody): number {
  const n = body.max_completion_tokens ?? body.max_tokens;
  return typeof n === 'number' && n > 0 ? n : 0;
}

/** Metric label for a decision: classes and semantic routes as they are, rules grouped, bounded length. */
function decisionLabel(decision: string): string {
  return decision.slice(0, 63);
}

/** Why nothing answered, as the most useful error for the client. */
function noBackendAnswered(
  route: CompiledRoute,
  lastError: GatewayError | undefined,
  skipped: { backend: string; reason: SkipReason }[],
  promptTokens: (b: CompiledBackend) => number,
  maxOutput: number,
): GatewayError {
  if (lastError) return lastError;
  const reasons = new Set(skipped.map((s) => s.reason));
  if (reasons.size === 1 && reasons.has('unsupported')) {
    return new GatewayError(
      400,
      'invalid_request_error',
      `No backend of route ${route.id} supports this endpoint or the features this request uses (tools, images, JSON mode).`,
      {
        code: 'unsupported_operation',
      },
    );
  }
  if (reasons.size === 1 && reasons.has('context_window')) {
    const largest = Math.max(...route.backends.map((b) => b.contextWindow ?? 0));
    const first = route.backends[0] as CompiledBackend;
    return new GatewayError(
      400,
      'invalid_request_error',
      `This route's largest context window is ${largest} tokens, but the request needs ${promptTokens(first) + maxOutput} (${promptTokens(first)} in the messages, ${maxOutput} for the completion). Shorten the messages or lower max_tokens.`,
      { code: 'context_length_exceeded', param: 'messages' },
    );
  }
  if (reasons.has('saturated')) {
    return new GatewayError(
      429,
      'rate_limit_error',
      `All backends of route ${route.id} are at their concurrency limit. Retry shortly.`,
      {
        code: 'backends_saturated',
        headers: { 'retry-after': '1' },
      },
    );
  }
  return new GatewayError(
    503,
    'upstream_error',
    `No backend of route ${route.id} is available (${skipped.map((s) => `${s.backend}: ${s.reason}`).join(', ') || 'retry budget exhausted'}).`,
    {
      code: 'no_backend_available',
      headers: { 'retry-after': '1' },
    },
  );
}

function modelNotFound(model: string, table: RouteTable): GatewayError {
  const known = [...table.byModel.keys()].sort();
  const list = known.length
    ? ` Known models: ${known.slice(0, 50).join(', ')}${known.length > 50 ? ', ...' : ''}.`
    : ' No routes are configured.';
  return new GatewayError(404, 'not_found_error', `The model \`${model.slice(0, 256)}\` does not exist.${list}`, {
    code: 'model_not_found',
    param: 'model',
  });
}
