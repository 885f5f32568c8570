import { providerFor, type Usage } from '../providers/index.js';
import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';
import type { RunContext, Runner, StageResult } from '../table/route.js';
import { CallRecord } from '../upstream/call-record.js';
import { CallSignal } from '../upstream/call-signal.js';
import { ClientClosedError } from '../upstream/errors.js';
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
  const total: Usage = { promptTokens: 0, completionTokens: 0 };
  let cost = 0;
  const count = (usage: Usage | undefined, c: number) => {
    if (usage) {
      total.promptTokens += usage.promptTokens;
      total.completionTokens += usage.completionTokens;
    }
    cost += c;
  };
  const ctx: RunContext = {
    op: w.op,
    route: w.route,
    body: w.body,
    rank: w.rank,
    call: (backend, body, options = {}) =>
      callOnce(w, signal, count, backend, body, options.op ?? w.op, options.evenIfEjected ?? false),
    headers: (backend, type) => answerHeaders(w, backend, type),
    decided: (decision) => w.deps.metrics.routerDecisions.inc({ route: w.route.id, decision: decision.slice(0, 63) }),
  };
  try {
    return await runner.run(ctx);
  } finally {
    signal.done();
    w.settle(total, cost);
  }
}

async function callOnce(
  w: ProxyCall,
  signal: CallSignal,
  count: (usage: Usage | undefined, cost: number) => void,
  backend: CompiledBackend,
  body: ProxiedBody,
  op: Operation,
  evenIfEjected: boolean,
): Promise<StageResult> {
  const { c, deps, route } = w;
  const state = deps.states.route(route).backends.get(backend.name);
  const health = state?.health;
  if (!evenIfEjected && health?.state(performance.now()) === 'ejected') return { kind: 'skipped', why: 'ejected' };
  // The backend's concurrency limit holds for these calls too.
  const release = await state?.limit.acquire(route.timeouts.connect);
  if (state && !release) return { kind: 'skipped', why: 'saturated' };
  c.set('backendName', backend.name);
  let outcome;
  try {
    outcome = await deps.transports
      .for(backend)
      .attempt({ route, backend, op, body, call: signal, requestId: c.get('requestId'), stream: false });
  } finally {
    release?.();
  }
  const at = performance.now();
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
  // A stage asks the request's own prompt (counted once already); a verifier asks its own.
  const samePrompt = body.messages === w.body.messages && body.prompt === w.body.prompt;
  const promptTokens = samePrompt ? w.promptTokens(backend) : op.promptTokens(backend.tokenizer, op.view(body));
  const record = new CallRecord(metrics, op, backend, promptTokens, outcome.upstreamStart, (usage, c) => {
    count(usage, c);
    settled = { usage: usage ?? settled.usage, cost: c };
  });
  record.complete(json);
  record.finish(200, outcome.bodyEnd);
  return { kind: 'answer', json, usage: settled.usage, cost: settled.cost };
}
