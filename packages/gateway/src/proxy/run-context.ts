import { outputTokenCap } from '../limits/estimate.js';
import { providerFor, type Usage } from '../providers/index.js';
import { answeredAttempt, type AttemptEnd } from '../observe/observer.js';
import type { ProxiedBody } from '../request/operations.js';
import { addUsage, usageFromOpenAI } from '../request/usage.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CallOptions, RunContext, Runner, StageResult } from '../table/route.js';
import type { AttemptOutcome } from '../transport/outcome.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError } from '../upstream/errors.js';
import { answerAsEvents } from './answer-as-stream.js';
import { finishThroughWalk } from './finish-call.js';
import { sampleAnswer } from './sample-answer.js';
import type { ProxyCall } from './proxy-call.js';
import { answerHeaders, logDetail } from './walk.js';

/**
 * Hands the request to a runner (cascade), lending it calls that keep
 * concurrency limits, health, metrics and the client's cancellation; the
 * usage and cost of every call it makes count for the request's limits and
 * budgets, settled once when it is done.
 */
export async function runWith(w: ProxyCall, runner: Runner): Promise<Response> {
  const signal = new CallSignal(w.route.timeouts.total, w.c);
  let total: Usage = { promptTokens: 0, completionTokens: 0 };
  let cost = 0;
  // A final call through the walk settles the whole request itself (its usage plus the calls' before it).
  let finished = false;
  const count = (usage: Usage | undefined, c: number) => {
    if (usage) total = addUsage(total, usage);
    cost += c;
  };
  let attempts = 0;
  const ctx: RunContext = {
    op: w.op,
    route: w.route,
    body: w.body,
    rank: w.rank,
    call: (backend, body, options = {}) => callOnce(w, signal, count, backend, body, options, ++attempts),
    respond: (backend, json, headers) => respond(w, backend, json, headers),
    finish: (backends, body, options) => {
      finished = true;
      return finishThroughWalk(w, backends, body, options);
    },
    decided: (decision) => w.deps.metrics.routerDecisions.inc({ route: w.route.id, decision: decision.slice(0, 63) }),
    requestId: w.c.get('gatewayId'),
    random: w.deps.random ?? Math.random,
    metrics: {
      stage: (mode, stage, seconds) => w.deps.metrics.collaborationStage.observe({ route: w.route.id, mode, stage }, seconds),
      run: (mode, outcome, overhead) => {
        w.deps.metrics.collaborationRuns.inc({ route: w.route.id, mode, outcome });
        if (overhead !== undefined) w.deps.metrics.collaborationOverhead.observe({ route: w.route.id, mode }, overhead);
      },
    },
  };
  try {
    return await runner.run(ctx);
  } finally {
    signal.done();
    if (!finished) w.settle(total, cost);
  }
}

const encoder = new TextEncoder();

/** A runner's answer as the client's response: JSON or stream events, through the request's door when it has one. */
async function respond(
  w: ProxyCall,
  backend: CompiledBackend,
  json: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<Response> {
  const streamed = Boolean(w.body.stream);
  const headers = { ...answerHeaders(w, backend, streamed ? 'text/event-stream; charset=utf-8' : 'application/json'), ...extra };
  sampleAnswer(w, backend);
  if (!streamed) {
    const rendering = w.door?.render(w.body);
    const answer = rendering ? await rendering.answer(json) : json;
    return new Response(encoder.encode(JSON.stringify(answer)), { status: 200, headers });
  }
  headers['cache-control'] = 'no-cache';
  const events = answerAsEvents(w.op, json, w.body);
  let text: string;
  if (w.door) {
    const counted = usageFromOpenAI(json) ?? {
      promptTokens: w.promptTokens(backend),
      completionTokens: backend.tokenizer.count(w.op.completionText(json)),
    };
    // The whole answer is known: a stream's start reports the same input tokens as its end.
    const egress = w.door.render(w.body, counted.promptTokens).egress();
    text = events.map((e) => egress.payload(e)).join('') + (await egress.end(counted));
  } else {
    text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
  }
  return new Response(encoder.encode(text), { status: 200, headers });
}

async function callOnce(
  w: ProxyCall,
  parent: CallSignal,
  count: (usage: Usage | undefined, cost: number) => void,
  backend: CompiledBackend,
  body: ProxiedBody,
  options: CallOptions,
  /** The runner's calls numbered 1, 2, ... (for traces). */
  attempt: number,
): Promise<StageResult> {
  const { c, deps, route } = w;
  const op = options.op ?? w.op;
  const evenIfEjected = options.evenIfEjected ?? false;
  // A stage asks the request's own prompt (counted once already); a verifier asks its own.
  const samePrompt = body.messages === w.body.messages && body.prompt === w.body.prompt;
  const state = deps.states.route(route).backends.get(backend.name);
  const health = state?.health;
  if (!evenIfEjected && health?.state(performance.now()) === 'ejected') return { kind: 'skipped', why: 'ejected' };
  // The backend's concurrency limit holds for these calls too.
  const release = await state?.limit.acquire(route.timeouts.connect);
  if (state && !release) return { kind: 'skipped', why: 'saturated' };
  c.set('backendName', backend.name);
  // A call with its own time limit ends with the request's too (and with the client leaving).
  const signal = options.timeoutMs !== undefined ? new CallSignal(options.timeoutMs, undefined, parent) : parent;
  const purpose = options.purpose ?? (samePrompt ? 'answer' : 'routing');
  const seen = w.obs?.attempt({ backend, attempt, purpose, stream: false });
  // The request's own depth header (loop-guard.ts) unless the runner sets its own.
  const headers = { ...w.upstreamHeaders, ...options.headers, ...seen?.headers };
  let outcome;
  try {
    outcome = await deps.transports.for(backend).attempt({
      route,
      backend,
      op,
      body,
      call: signal,
      requestId: c.get('requestId'),
      stream: false,
      headers,
    });
  } finally {
    release?.();
    if (signal !== parent) signal.done();
  }
  const at = performance.now();
  if (outcome.kind !== 'json') seen?.end(failedAttempt(outcome));
  if (outcome.kind === 'client_closed') throw new ClientClosedError();
  if (outcome.kind !== 'json') {
    if (outcome.kind === 'fail' && outcome.backendHealthy) return { kind: 'failed', error: outcome.error, clientFault: true };
    health?.failure(at);
    if (outcome.kind === 'stream') throw new Error('a non-streaming call was answered with a stream');
    logDetail(w, backend, outcome.error);
    return { kind: 'failed', error: outcome.error, clientFault: false };
  }
  health?.success(at);
  const provider = providerFor(backend.provider);
  const json = (provider.toOpenAI ? provider.toOpenAI(outcome.json, { op, body, backend }) : outcome.json) as Record<
    string,
    unknown
  >;
  const metrics = deps.metrics.forCall(
    { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
    route.strategy.name,
  );
  metrics.decisions.inc();
  let settled: { usage: Usage; cost: number } = { usage: { promptTokens: 0, completionTokens: 0 }, cost: 0 };
  const promptTokens = samePrompt ? w.promptTokens(backend) : op.promptTokens(backend.tokenizer, op.view(body));
  const record = new CallRecord(metrics, op, backend, promptTokens, outcome.upstreamStart, outputTokenCap(body), (usage, c) => {
    count(usage, c);
    seen?.settled(usage, c);
    settled = { usage: usage ?? settled.usage, cost: c };
  });
  record.complete(json);
  record.finish(200, outcome.bodyEnd);
  seen?.end(answeredAttempt(op, json));
  return { kind: 'answer', json, usage: settled.usage, cost: settled.cost, upstreamMs: outcome.bodyEnd - outcome.upstreamStart };
}

/** How a runner's call that brought no answer ended, for observers. */
function failedAttempt(outcome: Exclude<AttemptOutcome, { kind: 'json' }>): AttemptEnd {
  if (outcome.kind === 'client_closed') return { outcome: 'client_closed', status: 499 };
  if (outcome.kind === 'stream') return { outcome: 'failed', status: 502 };
  return { outcome: outcome.kind === 'retry' ? 'retry' : 'failed', status: outcome.error.status };
}
