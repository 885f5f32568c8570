import { isObject } from '../request/is-object.js';
import { GatewayError } from '../errors.js';
import { ownerOf } from '../auth/api-keys.js';
import { outputTokenCap } from '../limits/estimate.js';
import type { CallMetrics } from '../metrics/metrics.js';
import { answeredAttempt, type AttemptObservation } from '../observe/observer.js';
import { providerFor, type Usage } from '../providers/index.js';
import type { Operation, Upstream } from '../request/operations.js';
import { toOpenAIUsage } from '../request/usage.js';
import type { CompiledBackend } from '../table/backend.js';
import type { AttemptOutcome } from '../transport/outcome.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError, transportError, UpstreamDetail } from '../upstream/errors.js';
import { DEFAULT_UPSTREAM_LIMITS } from '../upstream/limits.js';
import { relaySse } from '../upstream/relay-stream.js';
import { takeSlot, type Candidate } from './candidates.js';
import { noBackendAnswered } from './no-backend.js';
import type { ProxyCall } from './proxy-call.js';
import { responseHeaders } from './response-headers.js';
import { sampleAnswer } from './sample-answer.js';

const encoder = new TextEncoder();

/** Walks the candidates until one answers; the call's timer and the half-open probe are released on every way out. */
export async function walkBackends(w: ProxyCall, pending: Candidate[]): Promise<Response> {
  const { c, deps, route } = w;
  const state = deps.states.route(route);
  const call = new CallSignal(route.timeouts.total, c);
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
        answered = await tryBackend(w, slot.backend, call, slot.release, attempts);
      } finally {
        if (probe !== undefined) health?.endProbe(probe);
      }
      if (answered.response) return answered.response;
      lastError = answered.error;
    }
  } finally {
    // A stream owns its call until it ends; every other way out ends it here.
    if (!w.streaming) call.done();
  }
  throw noBackendAnswered(route, lastError, w.skipped, w.promptTokens, w.rank.maxOutputTokens);
}

/** The request as this backend gets it: a front door may reach it as another operation (chat completions), translated both ways. */
function upstreamOf(w: ProxyCall, backend: CompiledBackend): Upstream {
  const { op, body } = w;
  return (
    w.upstreamFor?.(backend) ??
    w.door?.upstream(backend, body, w.promptTokens(backend)) ??
    op.upstream?.(backend, body) ?? { op, body, answer: (json) => json }
  );
}

type Answered = { response: Response; error?: undefined } | { response?: undefined; error: GatewayError };

/** One attempt on one backend: the answer, a retryable error, or a thrown final one. The slot is released on every path. */
async function tryBackend(
  w: ProxyCall,
  backend: CompiledBackend,
  call: CallSignal,
  release: () => void,
  attempt: number,
): Promise<Answered> {
  const { c, deps, op, route, body } = w;
  const seen = w.obs?.attempt({ backend, attempt, purpose: 'answer', stream: Boolean(body.stream) });
  const health = deps.states.route(route).backends.get(backend.name)?.health;
  c.set('backendName', backend.name);
  const metrics = deps.metrics.forCall(
    { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
    route.strategy.name,
  );
  metrics.decisions.inc();
  let up: Upstream;
  let outcome: AttemptOutcome;
  try {
    // Inside the try: a door that refuses this backend (a 400) must still give the slot back.
    up = upstreamOf(w, backend);
    outcome = await deps.transports.for(backend).attempt({
      route,
      backend,
      op: up.op,
      body: up.body,
      call,
      requestId: c.get('requestId'),
      stream: Boolean(body.stream),
      headers: seen?.headers ? { ...w.upstreamHeaders, ...seen.headers } : w.upstreamHeaders,
    });
  } catch (err) {
    release();
    seen?.end({ outcome: 'failed', status: err instanceof GatewayError ? err.status : 500 });
    throw err;
  }
  const at = performance.now();
  switch (outcome.kind) {
    case 'json':
      release();
      health?.success(at);
      return { response: await jsonAnswer(w, backend, up, outcome, metrics, at, seen) };
    case 'stream':
      health?.success(at);
      metrics.timeToFirstChunk.observe((at - outcome.upstreamStart) / 1000);
      return { response: streamAnswer(w, backend, up, outcome, metrics, { call, release, at }, seen) };
    case 'client_closed':
      release();
      seen?.end({ outcome: 'client_closed', status: 499 });
      throw new ClientClosedError();
    case 'fail':
      release();
      seen?.end({ outcome: 'failed', status: outcome.error.status });
      if (outcome.backendHealthy) health?.success(at);
      else health?.failure(at);
      metrics.requests(outcome.error.status).inc();
      logDetail(w, backend, outcome.error);
      throw outcome.error;
    case 'retry':
      release();
      seen?.end({ outcome: 'retry', status: outcome.error.status, reason: outcome.reason });
      if (outcome.reason === '429') health?.rateLimited(at + (outcome.retryAfterMs ?? 1000));
      else health?.failure(at);
      metrics.requests(outcome.error.status).inc();
      if (!route.resilience.retryOn.has(outcome.reason)) throw outcome.error;
      deps.metrics.retries.inc({ route: route.id, backend: backend.name, reason: outcome.reason });
      return { error: outcome.error };
  }
}

/** A whole answer: usage, cost and metrics from the upstream answer, then the client's shape of it. */
async function jsonAnswer(
  w: ProxyCall,
  backend: CompiledBackend,
  up: Upstream,
  outcome: Extract<AttemptOutcome, { kind: 'json' }>,
  metrics: CallMetrics,
  at: number,
  seen: AttemptObservation | undefined,
): Promise<Response> {
  const provider = providerFor(backend.provider);
  let upstream = provider.toOpenAI ? provider.toOpenAI(outcome.json, { op: up.op, body: up.body, backend }) : outcome.json;
  const record = new CallRecord(
    metrics,
    up.op,
    backend,
    w.promptTokens(backend),
    outcome.upstreamStart,
    outputTokenCap(up.body),
    settleAnswered(w, backend, up.op, seen)(() => upstream),
  );
  record.complete(upstream);
  record.finish(200, outcome.bodyEnd);
  const answered = upstream;
  seen?.end(answeredAttempt(up.op, answered));
  sampleAnswer(w, backend);
  // A backend that reports no usage (Triton) gets the gateway's count in its answer, as every door reports usage.
  if (!record.usage && up.op.name !== 'embeddings' && isObject(upstream))
    upstream = { ...upstream, usage: up.op.usageField ? up.op.usageField(record.counted) : toOpenAIUsage(record.counted) };
  metrics.overhead.observe(Math.max(0, at - w.c.get('startedAt') - (outcome.bodyEnd - outcome.upstreamStart)) / 1000);
  const answer = await up.answer(upstream);
  // Answers that need no translation go back byte for byte; translated ones are serialised once.
  const bytes = answer === outcome.json ? outcome.bytes : encoder.encode(JSON.stringify(answer));
  return new Response(bytes, { status: 200, headers: answerHeaders(w, backend, 'application/json') });
}

/** A stream: relayed (or re-framed for the client's door), accounted for when it ends. */
function streamAnswer(
  w: ProxyCall,
  backend: CompiledBackend,
  up: Upstream,
  outcome: Extract<AttemptOutcome, { kind: 'stream' }>,
  metrics: CallMetrics,
  at: { call: CallSignal; release: () => void; at: number },
  seen: AttemptObservation | undefined,
): Response {
  const provider = providerFor(backend.provider);
  const record = new CallRecord(
    metrics,
    up.op,
    backend,
    w.promptTokens(backend),
    outcome.upstreamStart,
    outputTokenCap(up.body),
    settleAnswered(w, backend, up.op, seen)(),
  );
  const translator = provider.streamTranslator?.({ op: up.op, body: up.body, backend });
  const stream = relaySse({
    body: outcome.body,
    chunks: outcome.chunks,
    first: outcome.first,
    tap: {
      onEvent: (payload) => record.streamEvent(payload),
      onEnd: (result, error) => {
        at.release();
        at.call.done();
        w.end();
        if (translator?.usage) record.useUsage(translator.usage);
        const status = result === 'ok' ? 200 : result === 'client_closed' ? 499 : (error?.status ?? 502);
        record.finish(status);
        seen?.end({ outcome: status === 200 ? 'answered' : status === 499 ? 'client_closed' : 'failed', status });
        w.obs?.end({ status, backend: backend.name, decision: w.rank.decision, score: w.rank.score });
        // Only a stream that ended whole counts as answered.
        if (result === 'ok') sampleAnswer(w, backend);
      },
    },
    errors: streamErrors(w, backend.name, at.call),
    maxLineBytes: (w.deps.upstreamLimits ?? DEFAULT_UPSTREAM_LIMITS).maxSseLineBytes,
    translator,
    done: (event, payload) => up.op.streamDone(event, payload),
    egress: up.egress,
    hide: up.hide,
    usage: () => (translator?.usage ? translator.usage : record.counted),
    errorFrame: (err) =>
      up.egress ? up.egress.error(err) : w.op.streamError ? w.op.streamError(err) : `data: ${JSON.stringify(err.toJSON())}\n\n`,
    // The total time limit ends the stream even when its client stopped reading (onEnd gives the slot back).
    call: at.call,
  });
  metrics.overhead.observe(Math.max(0, at.at - w.c.get('startedAt') - (outcome.headersAt - outcome.upstreamStart)) / 1000);
  const headers = answerHeaders(w, backend, 'text/event-stream; charset=utf-8');
  headers['cache-control'] = 'no-cache';
  w.streaming = true;
  return new Response(stream, { status: 200, headers });
}

/** How a stream that already started can go wrong, as the client reads it (an SSE error event). */
function streamErrors(w: ProxyCall, name: string, call: CallSignal) {
  const upstream = (code: string, message: string) => new GatewayError(502, 'upstream_error', message, { code });
  return {
    transport: (err: unknown) =>
      call.reason === 'client'
        ? new GatewayError(499, 'upstream_error', 'client closed')
        : transportError(err, name, w.route.timeouts),
    malformed: () =>
      upstream('upstream_malformed', `Backend "${name}" sent a stream event that is not valid JSON; the stream was ended.`),
    lineTooLong: (limit: number) =>
      upstream(
        'upstream_too_large',
        `Backend "${name}" sent a stream line or event longer than ${limit} bytes; the stream was ended.`,
      ),
    incomplete: () => upstream('upstream_incomplete', `Backend "${name}" ended the stream before the answer was complete.`),
  };
}

/**
 * Where an answer's usage and cost go: the reservation is settled, and
 * strategies that learn online hear how the answer went (latency to its
 * end, cost, and for non-streaming answers the texts an evaluator may read).
 */
function settleAnswered(w: ProxyCall, backend: CompiledBackend, op: Operation, seen: AttemptObservation | undefined) {
  const observe = w.route.strategy.observe?.bind(w.route.strategy);
  return (answer?: () => unknown) =>
    observe
      ? (usage: Usage | undefined, cost: number) => {
          w.settle(usage, cost);
          seen?.settled(usage, cost);
          observe({
            requestId: w.c.get('gatewayId'),
            owner: ownerOf(w.c.get('caller')),
            backend: backend.name,
            context: w.rank.context ?? '',
            latencyMs: performance.now() - w.c.get('startedAt'),
            cost,
            texts: answer && (() => ({ prompt: w.rank.prompt(), answer: op.completionText(answer()) })),
          });
        }
      : (usage: Usage | undefined, cost: number) => {
          w.settle(usage, cost);
          seen?.settled(usage, cost);
        };
}

export function answerHeaders(w: ProxyCall, backend: CompiledBackend, type: string): Record<string, string> {
  const headers = responseHeaders(w.c, w.route, backend, type, w.rank);
  if (w.door?.answerHeaders) Object.assign(headers, w.door.answerHeaders(w.c.get('requestId')));
  if (w.extraHeaders) Object.assign(headers, w.extraHeaders);
  // The id POST /v1/feedback takes: the gateway's own, so no client can aim at another's answer.
  if (w.route.strategy.feedback) headers['x-switchboard-feedback-id'] = w.c.get('gatewayId');
  if (w.explainer) headers['x-switchboard-explanation'] = w.explainer.summary(w.rank, backend.name);
  return headers;
}

/** What a backend said that the client was not shown (it may quote the gateway's key) goes to the log. */
export function logDetail(w: ProxyCall, backend: CompiledBackend, error: GatewayError): void {
  if (!(error.cause instanceof UpstreamDetail)) return;
  w.deps.log.warn(
    { route: w.route.id, backend: backend.name, status: error.cause.status, detail: error.cause.message.slice(0, 1000) },
    'backend refused the gateway credentials',
  );
}
