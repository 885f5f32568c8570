import type { Context } from 'hono';
import { mayUse } from '../auth/api-keys.js';
import type { CompiledBackend, CompiledRoute, RouteTable } from '../config/route-table.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { estimateUsage, requestedOutputTokens } from '../limits/estimate.js';
import type { Reservation } from '../limits/admission.js';
import { providerFor, type Usage } from '../providers/index.js';
import { grpcAttempt } from '../providers/triton/grpc/attempt.js';
import { isGrpc } from '../providers/triton/grpc/clients.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import { requestHeader } from '../request/headers.js';
import { PromptTokens } from '../request/prompt-tokens.js';
import { readBody } from '../request/read-body.js';
import { parseJsonObject } from '../request/read-json.js';
import { dropUnfit, orderByHealth, takeSlot, type Candidate, type SkipReason } from '../routing/candidates.js';
import type { RankRequest } from '../routing/index.js';
import { attempt, type AttemptOutcome } from '../upstream/attempt.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError, transportError, UpstreamDetail } from '../upstream/errors.js';
import { DEFAULT_UPSTREAM_LIMITS } from '../upstream/limits.js';
import { relaySse } from '../upstream/relay-stream.js';
import { forwardCascade } from './cascade.js';
import { ownerOf } from './feedback.js';
import { responseHeaders } from './response-headers.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
const encoder = new TextEncoder();
const NOTHING_RESERVED: Reservation = { settle: () => undefined };

/**
 * The handler for one proxied OpenAI endpoint: parse and check the body,
 * find the route, admit the request against limits and budgets, let the
 * route's strategy rank the backends, then walk that ranking (skipping
 * unhealthy, saturated and too-small backends) until one answers, within
 * maxAttempts and the route's retry budget.
 */
export function proxyHandler(op: Operation, deps: AppDeps) {
  const random = deps.random ?? Math.random;
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const bytes = await readBody(c, limit);
    const body = op.validate(parseJsonObject(requestHeader(c, 'content-type'), bytes));
    const table = deps.tables.current();
    const rankRequest = rankRequestFor(c, op, body);
    const caller = c.get('caller');
    const route = table.byModel.get(body.model) ?? routeLLMSyntax(body.model, table, rankRequest);
    if (!route) throw modelNotFound(body.model, table, caller);
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

/** One proxied request on its way through the route's backends. */
interface Walk {
  c: Context;
  deps: AppDeps;
  op: Operation;
  route: CompiledRoute;
  body: ProxiedBody;
  rankRequest: RankRequest;
  promptTokens: (b: CompiledBackend) => number;
  settle: (usage: Usage | undefined, cost: number) => void;
  skip: (b: CompiledBackend, reason: SkipReason) => void;
  skipped: { backend: string; reason: SkipReason }[];
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
  const skipped: Walk['skipped'] = [];
  const skip = (b: CompiledBackend, reason: SkipReason) => {
    skipped.push({ backend: b.name, reason });
    deps.metrics.skipped.inc({ route: route.id, backend: b.name, reason });
  };
  const prompt = new PromptTokens(op, body);
  const promptTokens = (b: CompiledBackend) => prompt.for(b.tokenizer);
  rankRequest.promptTokens = promptTokens;
  // Admission first: a caller over its limits costs no classifier, embeddings or cascade call.
  const caller = c.get('caller');
  const reservation = deps.admission?.applies(caller, route)
    ? await deps.admission.admit(caller, route, estimateUsage(op, route, body, promptTokens))
    : NOTHING_RESERVED;
  const settle = (usage: Usage | undefined, cost: number) => reservation.settle(usage, cost);
  const walk: Walk = { c, deps, op, route, body, rankRequest, promptTokens, settle, skip, skipped };
  try {
    if (route.strategy.cascade) {
      return await forwardCascade({
        c,
        deps,
        op,
        route,
        body,
        rank: rankRequest,
        plan: route.strategy.cascade,
        promptTokens,
        settle,
      });
    }
    // Most strategies rank synchronously: no await (and no extra tick) unless one returned a promise.
    const ranked = route.strategy.rank(random, rankRequest);
    const pending = orderByHealth(ranked instanceof Promise ? await ranked : ranked, state, performance.now(), skip);
    if (rankRequest.decision)
      deps.metrics.routerDecisions.inc({ route: route.id, decision: decisionLabel(rankRequest.decision) });
    const maxOutput = requestedOutputTokens(body);
    dropUnfit(
      pending,
      {
        supports: (b) => providerFor(b.provider).supports(op),
        needs: op.needs(body),
        tokens: (b) => promptTokens(b) + maxOutput,
      },
      skip,
    );
    return await tryBackends(walk, pending);
  } catch (err) {
    // Nothing answered: whatever was reserved is given back (settle counts only once).
    settle(undefined, 0);
    throw err;
  }
}

/** Walks the candidates until one answers; the call's timer is released on every way out. */
async function tryBackends(w: Walk, pending: Candidate[]): Promise<Response> {
  const { c, deps, route } = w;
  const state = deps.states.route(route);
  const call = new CallSignal(c, route.timeouts.total);
  let streaming = false;
  let attempts = 0;
  let lastError: GatewayError | undefined;
  try {
    while (attempts < route.resilience.maxAttempts) {
      const slot = await takeSlot(pending, state, route.timeouts.connect, w.skip);
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
      const health = state.backends.get(slot.backend.name)?.health;
      // The one request testing a half-open backend; released below whatever happens to it.
      const probe = slot.probe ? health?.beginProbe() : undefined;
      let answered: Answered;
      try {
        answered = await tryBackend(w, slot.backend, call, slot.release);
      } finally {
        if (probe !== undefined) health?.endProbe(probe);
      }
      if (answered.response) {
        streaming = answered.streaming;
        return answered.response;
      }
      lastError = answered.error;
    }
  } finally {
    // A stream owns its call until it ends; every other way out ends it here.
    if (!streaming) call.done();
  }
  throw noBackendAnswered(route, lastError, w.skipped, w.promptTokens, requestedOutputTokens(w.body));
}

type Answered = { response: Response; streaming: boolean; error?: undefined } | { response?: undefined; error: GatewayError };

/** One attempt on one backend: the answer, a retryable error, or a thrown final one. The slot is released on every path. */
async function tryBackend(w: Walk, backend: CompiledBackend, call: CallSignal, release: () => void): Promise<Answered> {
  const { c, deps, op, route, body } = w;
  const health = deps.states.route(route).backends.get(backend.name)?.health;
  c.set('backendName', backend.name);
  const provider = providerFor(backend.provider);
  const metrics = deps.metrics.forCall(
    { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
    route.strategy.name,
  );
  metrics.decisions.inc();
  let outcome: AttemptOutcome;
  try {
    outcome = isGrpc(backend)
      ? await grpcAttempt(deps.pools.grpc, route, backend, op, body, call, c.get('requestId'))
      : await attempt(
          deps.pools,
          route,
          backend,
          provider.buildRequest(op, backend, body, c.get('requestId')),
          call,
          Boolean(body.stream),
        );
  } catch (err) {
    release();
    throw err;
  }
  const at = performance.now();
  const settled = settleAnswered(w, backend);
  switch (outcome.kind) {
    case 'json': {
      release();
      health?.success(at);
      const answer = provider.toOpenAI ? provider.toOpenAI(outcome.json, { op, body, backend }) : outcome.json;
      const record = new CallRecord(
        metrics,
        op,
        provider,
        backend,
        w.promptTokens(backend),
        outcome.upstreamStart,
        settled(() => answer),
      );
      record.complete(answer);
      record.finish(200, outcome.bodyEnd);
      metrics.overhead.observe(Math.max(0, at - c.get('startedAt') - (outcome.bodyEnd - outcome.upstreamStart)) / 1000);
      // OpenAI-family answers go back byte for byte; translated ones are serialised once.
      const bytes = answer === outcome.json ? outcome.bytes : encoder.encode(JSON.stringify(answer));
      const headers = answerHeaders(w, backend, 'application/json');
      return { response: new Response(bytes, { status: 200, headers }), streaming: false };
    }
    case 'stream': {
      health?.success(at);
      metrics.timeToFirstChunk.observe((at - outcome.upstreamStart) / 1000);
      const record = new CallRecord(metrics, op, provider, backend, w.promptTokens(backend), outcome.upstreamStart, settled());
      const translator = provider.streamTranslator?.({ op, body, backend });
      const name = backend.name;
      const stream = relaySse(
        outcome.body,
        outcome.chunks,
        outcome.first,
        {
          onEvent: (payload) => record.streamEvent(payload),
          onEnd: (result, error) => {
            release();
            call.done();
            if (translator?.usage) record.useUsage(translator.usage);
            record.finish(result === 'ok' ? 200 : result === 'client_closed' ? 499 : (error?.status ?? 502));
          },
        },
        {
          transport: (err) =>
            call.reason === 'client'
              ? new GatewayError(499, 'upstream_error', 'client closed')
              : transportError(err, name, route.timeouts),
          malformed: () =>
            new GatewayError(
              502,
              'upstream_error',
              `Backend "${name}" sent a stream event that is not valid JSON; the stream was ended.`,
              {
                code: 'upstream_malformed',
              },
            ),
          lineTooLong: (limit) =>
            new GatewayError(
              502,
              'upstream_error',
              `Backend "${name}" sent a stream line longer than ${limit} bytes; the stream was ended.`,
              {
                code: 'upstream_too_large',
              },
            ),
          incomplete: () =>
            new GatewayError(502, 'upstream_error', `Backend "${name}" ended the stream before the answer was complete.`, {
              code: 'upstream_incomplete',
            }),
        },
        (deps.upstreamLimits ?? DEFAULT_UPSTREAM_LIMITS).maxSseLineBytes,
        translator,
      );
      metrics.overhead.observe(Math.max(0, at - c.get('startedAt') - (outcome.headersAt - outcome.upstreamStart)) / 1000);
      const headers = answerHeaders(w, backend, 'text/event-stream; charset=utf-8');
      headers['cache-control'] = 'no-cache';
      return { response: new Response(stream, { status: 200, headers }), streaming: true };
    }
    case 'client_closed':
      release();
      throw new ClientClosedError();
    case 'fail':
      release();
      if (outcome.backendHealthy) health?.success(at);
      else health?.failure(at);
      metrics.requests(outcome.error.status).inc();
      logDetail(w, backend, outcome.error);
      throw outcome.error;
    case 'retry':
      release();
      if (outcome.reason === '429') health?.rateLimited(at + (outcome.retryAfterMs ?? 1000));
      else health?.failure(at);
      metrics.requests(outcome.error.status).inc();
      if (!route.resilience.retryOn.has(outcome.reason)) throw outcome.error;
      deps.metrics.retries.inc({ route: route.id, backend: backend.name, reason: outcome.reason });
      return { error: outcome.error };
  }
}

/**
 * Where an answer's usage and cost go: the reservation is settled, and
 * strategies that learn online hear how the answer went (latency to its
 * end, cost, and for non-streaming answers the texts an evaluator may read).
 */
function settleAnswered(w: Walk, backend: CompiledBackend) {
  const observe = w.route.strategy.observe?.bind(w.route.strategy);
  return (answer?: () => unknown) =>
    observe
      ? (usage: Usage | undefined, cost: number) => {
          w.settle(usage, cost);
          observe({
            requestId: w.c.get('gatewayId'),
            owner: ownerOf(w.c.get('caller')),
            backend: backend.name,
            context: w.rankRequest.context ?? '',
            latencyMs: performance.now() - w.c.get('startedAt'),
            cost,
            texts: answer && (() => ({ prompt: w.rankRequest.prompt(), answer: w.op.completionText(answer()) })),
          });
        }
      : w.settle;
}

function answerHeaders(w: Walk, backend: CompiledBackend, type: string): Record<string, string> {
  const headers = responseHeaders(w.c, w.route, backend, type, w.rankRequest);
  // The id POST /v1/feedback takes: the gateway's own, so no client can aim at another's answer.
  if (w.route.strategy.feedback) headers['x-switchboard-feedback-id'] = w.c.get('gatewayId');
  return headers;
}

/** What a backend said that the client was not shown (it may quote the gateway's key) goes to the log. */
function logDetail(w: Walk, backend: CompiledBackend, error: GatewayError): void {
  if (!(error.cause instanceof UpstreamDetail)) return;
  w.deps.log.warn(
    { route: w.route.id, backend: backend.name, status: error.cause.status, detail: error.cause.message.slice(0, 1000) },
    'backend refused the gateway credentials',
  );
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

/** 404 for an unknown model, listing (some of) the models this caller may use. */
function modelNotFound(model: string, table: RouteTable, caller: Parameters<typeof mayUse>[0]): GatewayError {
  const known = [...table.byModel.entries()]
    .filter(([name, route]) => mayUse(caller, route, name))
    .map(([name]) => name)
    .sort();
  const list = known.length
    ? ` Known models: ${known.slice(0, 50).join(', ')}${known.length > 50 ? ', ...' : ''}.`
    : ' No models are available to this API key.';
  return new GatewayError(404, 'not_found_error', `The model \`${model.slice(0, 256)}\` does not exist.${list}`, {
    code: 'model_not_found',
    param: 'model',
  });
}
