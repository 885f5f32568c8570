import type { Context } from 'hono';
import type { CompiledBackend, CompiledRoute } from '../config/route-table.js';
import type { AppDeps } from '../context.js';
import { GatewayError } from '../errors.js';
import { providerFor, type Usage } from '../providers/index.js';
import { grpcAttempt } from '../providers/triton/grpc/attempt.js';
import { isGrpc } from '../providers/triton/grpc/clients.js';
import { chatCompletions, type Operation, type ProxiedBody } from '../request/operations.js';
import type { CascadePlan, RankRequest } from '../routing/strategy.js';
import { attempt, type AttemptOutcome } from '../upstream/attempt.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError } from '../upstream/errors.js';
import { responseHeaders } from './response-headers.js';

export interface CascadeCall {
  c: Context;
  deps: AppDeps;
  op: Operation;
  route: CompiledRoute;
  body: ProxiedBody;
  rank: RankRequest;
  plan: CascadePlan;
  promptTokens: (b: CompiledBackend) => number;
  settle: (usage: Usage | undefined, cost: number) => void;
}

interface Answer {
  backend: CompiledBackend;
  json: Record<string, unknown>;
  confidence: number | undefined;
  accepted: boolean;
  stage: number;
}

const encoder = new TextEncoder();

/**
 * FrugalGPT / AutoMix cascade: the stages are called one after another,
 * cheapest first, without streaming; an answer is accepted when its
 * confidence passes (mean token log-probability, or a verifier backend's
 * yes), otherwise the next stage is asked. The last stage's answer is
 * accepted whatever its confidence. A streaming request gets the accepted
 * answer as a stream of one content chunk (the first stages must be read
 * whole to be judged).
 */
export async function forwardCascade(x: CascadeCall): Promise<Response> {
  const { c, deps, op, route, body, rank, plan } = x;
  if (op.name === 'embeddings') {
    throw new GatewayError(
      400,
      'invalid_request_error',
      `Route ${route.id} is a cascade: it serves chat and text completions, not embeddings.`,
      {
        code: 'unsupported_operation',
      },
    );
  }
  const stageBody: ProxiedBody = { ...body, stream: false };
  delete stageBody.stream_options;
  if (plan.confidence === 'logprob') {
    if (op.name === 'chat') stageBody.logprobs = true;
    else stageBody.logprobs = Math.max(1, Number(body.logprobs) || 0);
  }
  const call = new CallSignal(c, route.timeouts.total);
  const state = deps.states.route(route);
  const tried: string[] = [];
  let total: Usage = { promptTokens: 0, completionTokens: 0 };
  let totalCost = 0;
  // Every call of the cascade (stages and verifier) counts against limits and budgets.
  const count = (usage: Usage | undefined, cost: number) => {
    if (usage)
      total = {
        promptTokens: total.promptTokens + usage.promptTokens,
        completionTokens: total.completionTokens + usage.completionTokens,
      };
    totalCost += cost;
  };
  let answer: Answer | undefined;
  let lastError: GatewayError | undefined;
  try {
    for (let i = 0; i < plan.stages.length && !answer?.accepted; i++) {
      const backend = plan.stages[i] as CompiledBackend;
      const last = i === plan.stages.length - 1;
      const health = state.backends.get(backend.name)?.health;
      if (!last && health && health.state(performance.now()) === 'ejected') {
        tried.push(`${backend.name}=ejected`);
        continue;
      }
      // The backend's concurrency limit holds for cascade stages too; a saturated stage is skipped.
      const release = await state.backends.get(backend.name)?.limit.acquire(route.timeouts.connect);
      if (state.backends.get(backend.name) && !release) {
        tried.push(`${backend.name}=saturated`);
        continue;
      }
      c.set('backendName', backend.name);
      let outcome: AttemptOutcome;
      try {
        outcome = await callStage(x, op, backend, stageBody, call);
      } finally {
        release?.();
      }
      const at = performance.now();
      if (outcome.kind === 'client_closed') throw new ClientClosedError();
      if (outcome.kind !== 'json') {
        if (outcome.kind === 'fail' && outcome.backendHealthy) throw outcome.error;
        health?.failure(at);
        lastError = outcome.kind === 'stream' ? undefined : outcome.error;
        tried.push(`${backend.name}=error`);
        continue;
      }
      health?.success(at);
      const provider = providerFor(backend.provider);
      const json = (
        provider.toOpenAI ? provider.toOpenAI(outcome.json, { op, body: stageBody, backend }) : outcome.json
      ) as Record<string, unknown>;
      const metrics = deps.metrics.forCall(
        { operation: op.name, provider: backend.provider, model: backend.model, route: route.id, backend: backend.name },
        'cascade',
      );
      metrics.decisions.inc();
      const record = new CallRecord(metrics, op, provider, backend, x.promptTokens(backend), outcome.upstreamStart, count);
      record.complete(json);
      record.finish(200, outcome.bodyEnd);
      const confidence = plan.confidence === 'logprob' ? meanLogprob(json) : await verify(x, json, call, count);
      const accepted =
        plan.confidence === 'logprob' ? confidence !== undefined && confidence >= plan.minMeanLogprob : confidence === 1;
      tried.push(`${backend.name}=${confidence === undefined ? 'n/a' : confidence.toFixed(3)}`);
      answer = { backend, json, confidence, accepted: accepted || last, stage: i };
    }
  } finally {
    call.done();
    x.settle(total, totalCost);
  }
  if (!answer) {
    throw (
      lastError ??
      new GatewayError(503, 'upstream_error', `No stage of cascade route ${route.id} answered.`, {
        code: 'no_backend_available',
        headers: { 'retry-after': '1' },
      })
    );
  }
  rank.decision = `stage-${answer.stage + 1}:${answer.backend.name}`;
  if (answer.confidence !== undefined) rank.score = answer.confidence;
  deps.metrics.routerDecisions.inc({ route: route.id, decision: `stage-${answer.stage + 1}` });
  if (!body.logprobs) stripLogprobs(answer.json);
  const streamed = Boolean(body.stream);
  const headers = responseHeaders(
    c,
    route,
    answer.backend,
    streamed ? 'text/event-stream; charset=utf-8' : 'application/json',
    rank,
  );
  headers['x-switchboard-cascade'] = tried.join(', ');
  if (!streamed) return new Response(encoder.encode(JSON.stringify(answer.json)), { status: 200, headers });
  headers['cache-control'] = 'no-cache';
  return new Response(encoder.encode(asSse(op, answer.json, body)), { status: 200, headers });
}

function callStage(
  x: CascadeCall,
  op: Operation,
  backend: CompiledBackend,
  body: ProxiedBody,
  call: CallSignal,
): Promise<AttemptOutcome> {
  const id = x.c.get('requestId');
  return isGrpc(backend)
    ? grpcAttempt(x.deps.pools.grpc, x.route, backend, op, body, call, id)
    : attempt(x.deps.pools, x.route, backend, providerFor(backend.provider).buildRequest(op, backend, body, id), call, false);
}

/** Mean token log-probability of the first choice (chat `logprobs.content`, or completions `token_logprobs`). */
export function meanLogprob(json: Record<string, unknown>): number | undefined {
  const choice = objects(json.choices)[0] as { logprobs?: { content?: unknown; token_logprobs?: unknown } | null } | undefined;
  const lp = choice?.logprobs;
  if (!lp || typeof lp !== 'object') return undefined;
  const values: unknown[] = Array.isArray(lp.content)
    ? objects(lp.content).map((t) => t.logprob)
    : Array.isArray(lp.token_logprobs)
      ? lp.token_logprobs
      : [];
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : undefined;
}

/** The objects of what should be a list of objects (a backend may send anything). */
function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))
    : [];
}

const VERIFY_SYSTEM =
  'You check answers. Reply with exactly one word: "yes" if the answer is correct and complete for the question, otherwise "no".';

/**
 * AutoMix-style self-verification by another backend: 1 for yes, 0 for no
 * (or no verdict). Its tokens and cost count like any stage's (`count`).
 */
async function verify(
  x: CascadeCall,
  json: Record<string, unknown>,
  call: CallSignal,
  count: (usage: Usage | undefined, cost: number) => void,
): Promise<number> {
  const verifier = x.plan.verifier;
  if (!verifier) return 0;
  const answer = x.op.completionText(json);
  const body: ProxiedBody = {
    model: verifier.model,
    messages: [
      { role: 'system', content: VERIFY_SYSTEM },
      { role: 'user', content: `Question:\n${x.rank.prompt()}\n\nAnswer:\n${answer}\n\nIs the answer correct?` },
    ],
    max_tokens: 3,
    temperature: 0,
  };
  const outcome = await callStage(x, chatCompletions, verifier, body, call);
  if (outcome.kind !== 'json') return 0;
  const provider = providerFor(verifier.provider);
  const reply = provider.toOpenAI
    ? provider.toOpenAI(outcome.json, { op: chatCompletions, body, backend: verifier })
    : outcome.json;
  const metrics = x.deps.metrics.forCall(
    { operation: 'chat', provider: verifier.provider, model: verifier.model, route: x.route.id, backend: verifier.name },
    'cascade',
  );
  const record = new CallRecord(
    metrics,
    chatCompletions,
    provider,
    verifier,
    chatCompletions.promptTokens(verifier.tokenizer, body),
    outcome.upstreamStart,
    count,
  );
  record.complete(reply);
  record.finish(200, outcome.bodyEnd);
  const text = chatCompletions.completionText(reply).trim().toLowerCase();
  return text.startsWith('yes') ? 1 : 0;
}

function stripLogprobs(json: Record<string, unknown>): void {
  for (const choice of objects(json.choices)) if ('logprobs' in choice) choice.logprobs = null;
}

/** The accepted answer as OpenAI stream events: the content in one chunk, the finish reason, usage if asked, [DONE]. */
function asSse(op: Operation, json: Record<string, unknown>, body: ProxiedBody): string {
  const base = { id: json.id, created: json.created, model: json.model };
  const choices = objects(json.choices);
  const events: unknown[] = [];
  if (op.name === 'chat') {
    for (const [i, ch] of choices.entries()) {
      const message = objects([ch.message])[0] ?? {};
      events.push({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: i, delta: { role: 'assistant', content: message.content ?? '' }, finish_reason: null }],
      });
      events.push({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: i, delta: {}, finish_reason: ch.finish_reason ?? 'stop' }],
      });
    }
  } else {
    for (const [i, ch] of choices.entries()) {
      events.push({
        ...base,
        object: 'text_completion',
        choices: [{ index: i, text: ch.text ?? '', finish_reason: ch.finish_reason ?? 'stop', logprobs: null }],
      });
    }
  }
  const so = body.stream_options as { include_usage?: boolean } | undefined;
  if (so?.include_usage && json.usage)
    events.push({
      ...base,
      object: op.name === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      choices: [],
      usage: json.usage,
    });
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}
