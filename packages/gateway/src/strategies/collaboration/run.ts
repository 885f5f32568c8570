import { GatewayError } from '../../errors.js';
import { chatCompletions, type ProxiedBody } from '../../request/operations.js';
import { addUsage, type Usage } from '../../request/usage.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RunContext, Runner } from '../../table/route.js';
import type { Choice } from './controller.js';
import { byPrice, summary, type Plan } from './plans.js';
import * as prompts from './prompts.js';

/** One step of a mode's graph: which stage, who runs it, whether it is the answer the client gets. */
export interface Step {
  stage: 'answer' | 'refine' | 'critique' | 'revise' | 'debate' | 'aggregate' | 'findings' | 'synthesize';
  /** every agent in parallel, one agent by index, the judge or the synthesizer. */
  who: 'agents' | number | 'judge' | 'synthesizer';
  final?: boolean;
}

/** Each mode as a small declarative graph: steps run in order; `agents` steps run their agents concurrently. */
export function graphOf(plan: Plan): Step[] {
  const last = plan.agents.length - 1;
  const rounds = Array.from({ length: plan.rounds }, (_, r) => r);
  switch (plan.mode) {
    case 'single':
    case 'cot':
      return [{ stage: 'answer', who: 0, final: true }];
    case 'chain':
      return plan.agents.map((_, i) => ({ stage: i === 0 ? 'answer' : 'refine', who: i, final: i === last }));
    case 'reflection':
      return [
        { stage: 'answer', who: 0 },
        ...rounds.flatMap((r): Step[] => [
          { stage: 'critique', who: 'judge' },
          { stage: 'revise', who: 0, final: r === plan.rounds - 1 },
        ]),
      ];
    case 'debate':
      return [
        { stage: 'answer', who: 'agents' },
        ...rounds.map((): Step => ({ stage: 'debate', who: 'agents' })),
        { stage: 'aggregate', who: 'judge', final: true },
      ];
    case 'fusion':
      return [
        { stage: 'answer', who: 'agents' },
        { stage: 'findings', who: 'judge' },
        { stage: 'synthesize', who: 'synthesizer', final: true },
      ];
  }
}

/** One call of a run, as the trace reports it. */
export interface TraceEntry {
  stage: string;
  role: string;
  backend: string;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  ms: number;
  ok: boolean;
}

export interface CollaborationRunConfig {
  routeId: string;
  backends: readonly CompiledBackend[];
  choose(ctx: RunContext): Choice;
  stageTimeoutMs: number | undefined;
  maxDepth: number;
  /** Before the final call: what the plan cost so far, for the learner's reward. */
  ran(requestId: string, cost: number): void;
}

const JUDGE_SYSTEM = 'You are a demanding, fair reviewer.';
const TRACE_HEADER_LIMIT = 4000;

const textOf = (json: Record<string, unknown>) => chatCompletions.completionText(json);

/** The conversation as the later stages quote it: the user's message, or each turn with its role. */
function taskOf(body: ProxiedBody): string {
  const messages = chatCompletions.view(body).messages ?? [];
  const turns = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  if (turns.length === 1) return turns[0]?.content ?? '';
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}

/** Sampling fields of the client's request that every call keeps. */
function sampling(body: ProxiedBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'user'] as const) {
    if (body[f] !== undefined) out[f] = body[f];
  }
  return out;
}

/**
 * Runs a collaboration plan: the mode's graph, stage by stage, each agent's
 * call failing over to the route's other backends, parallel stages going on
 * when `minSuccessful` agents answered, and the last stage sent through the
 * proxy's own walk (streamed when the client streams). Only the last stage
 * sees the client's tools and response format; earlier stages are internal.
 */
export function collaborationRunner(cfg: CollaborationRunConfig): Runner {
  return { run: (ctx) => runPlan(ctx, cfg) };
}

async function runPlan(ctx: RunContext, cfg: CollaborationRunConfig): Promise<Response> {
  if (ctx.op.name !== 'chat') {
    throw new GatewayError(400, 'invalid_request_error', `Route ${cfg.routeId} is a collaboration: it serves chat only.`, {
      code: 'unsupported_operation',
    });
  }
  const depth = Number(ctx.rank.header('x-switchboard-depth') ?? 0);
  if (!Number.isFinite(depth) || depth >= cfg.maxDepth) {
    throw new GatewayError(
      508,
      'invalid_request_error',
      `Route ${cfg.routeId}: a collaboration reached x-switchboard-depth ${String(depth).slice(0, 8)} (routing.collaboration.maxDepth is ${cfg.maxDepth}); a route is calling itself through the gateway.`,
      { code: 'collaboration_loop' },
    );
  }
  const choice = cfg.choose(ctx);
  const { plan } = choice;
  ctx.rank.decision = plan.key;
  ctx.rank.context = `${choice.context}#${plan.key}`;
  ctx.decided(`${plan.mode}:${choice.by}`);
  const run = new PlanRun(ctx, cfg, plan, depth);
  try {
    return await run.execute(choice);
  } catch (err) {
    ctx.metrics.run(plan.mode, 'failed');
    throw err;
  }
}

class PlanRun {
  readonly trace: TraceEntry[] = [];
  readonly task: string;
  usage: Usage = { promptTokens: 0, completionTokens: 0 };
  cost = 0;
  /** Time the stages waited on backends (the longest call of each stage). */
  waited = 0;
  readonly started = performance.now();
  readonly upstreamHeaders: Record<string, string>;

  constructor(
    readonly ctx: RunContext,
    readonly cfg: CollaborationRunConfig,
    readonly plan: Plan,
    depth: number,
  ) {
    this.task = taskOf(ctx.body);
    this.upstreamHeaders = { 'x-switchboard-depth': String(depth + 1) };
  }

  async execute(choice: Choice): Promise<Response> {
    const { plan } = this;
    let answers: string[] = [];
    // The agents whose answers `answers` holds (a parallel stage goes on without the ones that failed).
    let alive: number[] = [];
    let critique = '';
    let judged = '';
    for (const step of graphOf(plan)) {
      const body = (who: Step['who'], own: string, others: string[]) =>
        this.body(step, who, { own, others, answers, critique, judged });
      if (step.final) return this.finish(choice, step, body(step.who, answers[0] ?? '', []));
      const t0 = performance.now();
      if (step.who === 'agents') {
        const indices = step.stage === 'answer' ? plan.agents.map((_, i) => i) : alive;
        const results = await this.parallel(
          step,
          indices.map((agent, k) => ({
            index: agent,
            body: body(
              agent,
              answers[k] ?? '',
              answers.filter((_, j) => j !== k),
            ),
          })),
        );
        answers = results.map((r) => r.text);
        alive = results.map((r) => r.index);
      } else if (typeof step.who === 'number') {
        answers = [await this.one(step, step.who, body(step.who, answers[0] ?? '', []))];
      } else if (step.stage === 'critique') {
        critique = await this.one(step, 'judge', body('judge', answers[0] ?? '', []));
      } else {
        judged = await this.one(step, 'judge', body('judge', '', []));
      }
      this.ctx.metrics.stage(plan.mode, step.stage, (performance.now() - t0) / 1000);
    }
    throw new Error(`collaboration mode ${plan.mode} has no final step`);
  }

  /** The body of one call of `step`. */
  body(
    step: Step,
    who: Step['who'],
    s: { own: string; others: string[]; answers: string[]; critique: string; judged: string },
  ): ProxiedBody {
    const { plan, ctx, task } = this;
    const agent = typeof who === 'number' ? plan.agents[who] : undefined;
    const roleSystem = agent
      ? plan.mode === 'cot'
        ? `${agent.role.systemPrompt}\n\n${prompts.STEP_BY_STEP}`
        : agent.role.systemPrompt
      : JUDGE_SYSTEM;
    const client = ctx.body;
    const keep = step.final ? { ...client } : { model: client.model, ...sampling(client) };
    delete keep.stream;
    delete keep.stream_options;
    if (!step.final) {
      delete keep.tools;
      delete keep.tool_choice;
    }
    if (step.stage === 'answer') {
      return {
        ...keep,
        model: client.model,
        messages: [{ role: 'system', content: roleSystem }, ...(client.messages as unknown[])],
      };
    }
    const user =
      step.stage === 'refine'
        ? prompts.refine(task, s.answers[0] ?? '')
        : step.stage === 'critique'
          ? prompts.critique(task, s.answers[0] ?? '')
          : step.stage === 'revise'
            ? prompts.revise(task, s.answers[0] ?? '', s.critique)
            : step.stage === 'debate'
              ? prompts.debateRound(task, s.own, s.others)
              : step.stage === 'aggregate'
                ? prompts.aggregate(task, s.answers)
                : step.stage === 'findings'
                  ? prompts.findings(task, s.answers)
                  : prompts.synthesize(task, s.answers, s.judged);
    return {
      ...keep,
      model: client.model,
      messages: [
        { role: 'system', content: roleSystem },
        { role: 'user', content: user },
      ],
    };
  }

  /** The backends an agent's call may use: its own, then the route's others (cheapest first), up to maxAttempts. */
  order(backend: CompiledBackend): CompiledBackend[] {
    const attempts = Math.max(1, this.ctx.route.resilience.maxAttempts);
    return [backend, ...byPrice(this.cfg.backends).filter((b) => b !== backend)].slice(0, attempts);
  }

  backendOf(who: Step['who']): { backend: CompiledBackend; role: string } {
    const { plan } = this;
    if (who === 'judge') return { backend: plan.judge, role: 'judge' };
    if (who === 'synthesizer') return { backend: plan.synthesizer, role: 'synthesizer' };
    const agent = plan.agents[typeof who === 'number' ? who : 0]!;
    return { backend: agent.backend, role: agent.role.name };
  }

  /** One internal call with failover; its answer's text, or a failure that names what failed. */
  async call(step: Step, who: Step['who'], body: ProxiedBody): Promise<{ text: string; upstreamMs: number } | { error: string }> {
    const { backend, role } = this.backendOf(who);
    const failures: string[] = [];
    for (const b of this.order(backend)) {
      const t0 = performance.now();
      const result = await this.ctx.call(b, body, {
        evenIfEjected: b === backend,
        headers: this.upstreamHeaders,
        ...(this.cfg.stageTimeoutMs !== undefined ? { timeoutMs: this.cfg.stageTimeoutMs } : {}),
      });
      const ms = performance.now() - t0;
      if (result.kind === 'answer') {
        this.usage = addUsage(this.usage, result.usage);
        this.cost += result.cost;
        this.trace.push({ stage: step.stage, role, backend: b.name, ...tokens(result.usage), cost: result.cost, ms, ok: true });
        return { text: textOf(result.json), upstreamMs: result.upstreamMs };
      }
      this.trace.push({ stage: step.stage, role, backend: b.name, promptTokens: 0, completionTokens: 0, cost: 0, ms, ok: false });
      if (result.kind === 'failed' && result.clientFault) throw result.error;
      failures.push(`${b.name}: ${result.kind === 'skipped' ? result.why : result.error.message.slice(0, 120)}`);
    }
    return { error: `${role}@${backend.name} (${failures.join('; ')})` };
  }

  async one(step: Step, who: Step['who'], body: ProxiedBody): Promise<string> {
    const r = await this.call(step, who, body);
    if ('error' in r) throw this.failed(step, [r.error], 1, 0);
    this.waited += r.upstreamMs;
    return r.text;
  }

  /** A parallel stage: every agent at once; on when minSuccessful answered, in agent order. */
  async parallel(step: Step, calls: { index: number; body: ProxiedBody }[]): Promise<{ index: number; text: string }[]> {
    const results = await Promise.all(calls.map(async (c) => ({ index: c.index, r: await this.call(step, c.index, c.body) })));
    const ok = results.flatMap(({ index, r }) => ('error' in r ? [] : [{ index, text: r.text, upstreamMs: r.upstreamMs }]));
    const need = Math.min(this.plan.minSuccessful, calls.length);
    if (ok.length < need) {
      throw this.failed(
        step,
        results.flatMap(({ r }) => ('error' in r ? [r.error] : [])),
        need,
        ok.length,
      );
    }
    this.waited += Math.max(0, ...ok.map((r) => r.upstreamMs));
    return ok;
  }

  failed(step: Step, failures: string[], need: number, got: number): GatewayError {
    return new GatewayError(
      502,
      'upstream_error',
      `Route ${this.cfg.routeId}: the ${this.plan.mode} collaboration's ${step.stage} stage needed ${need} answer(s) and got ${got}. Failed: ${failures.join(', ')}.`,
      { code: 'collaboration_failed' },
    );
  }

  /** The final step through the proxy's walk, with the plan's summary and trace in headers. */
  finish(choice: Choice, step: Step, body: ProxiedBody): Promise<Response> {
    const { plan, ctx, cfg } = this;
    const overhead = Math.max(0, performance.now() - this.started - this.waited) / 1000;
    ctx.metrics.run(plan.mode, 'answered', overhead);
    cfg.ran(ctx.requestId, this.cost);
    const { backend } = this.backendOf(step.who);
    const trace = this.trace.map(
      (t) =>
        `${t.stage}/${t.role}@${t.backend}:${t.ok ? `${t.promptTokens}+${t.completionTokens}:$${t.cost.toPrecision(3)}` : 'failed'}:${Math.round(t.ms)}ms`,
    );
    let traceHeader = trace.join(', ');
    if (traceHeader.length > TRACE_HEADER_LIMIT) traceHeader = `${traceHeader.slice(0, TRACE_HEADER_LIMIT)}...`;
    const headers: Record<string, string> = {
      'x-switchboard-collaboration': `${summary(plan)}; by=${choice.by}; estimate=$${choice.estimate.cost.toPrecision(3)}`,
    };
    if (traceHeader) headers['x-switchboard-collaboration-trace'] = traceHeader;
    const wantsTrace = ctx.rank.header('x-switchboard-collaboration-trace') === 'true';
    return ctx.finish(
      this.order(backend),
      { ...body, ...(ctx.body.stream ? { stream: true } : {}) },
      {
        prior: { usage: this.usage, cost: this.cost },
        headers,
        upstreamHeaders: this.upstreamHeaders,
        ...(wantsTrace
          ? {
              extend: (json) => ({
                ...json,
                switchboard_collaboration: { plan: summary(plan), by: choice.by, context: choice.context, trace: this.trace },
              }),
            }
          : {}),
      },
    );
  }
}

const tokens = (u: Usage) => ({ promptTokens: u.promptTokens, completionTokens: u.completionTokens });
