import { GatewayError } from '../../errors.js';
import { chatCompletions, type ProxiedBody } from '../../request/operations.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RunContext, Runner } from '../../table/route.js';

/** How the cascade runs a request: stage by stage, accepting on confidence. */
export interface CascadePlan {
  stages: readonly CompiledBackend[];
  confidence: 'logprob' | 'verifier';
  minMeanLogprob: number;
  verifier: CompiledBackend | undefined;
}

interface Answer {
  backend: CompiledBackend;
  json: Record<string, unknown>;
  confidence: number | undefined;
  accepted: boolean;
  stage: number;
}

/**
 * FrugalGPT / AutoMix cascade: the stages are called one after another,
 * cheapest first, without streaming; an answer is accepted when its
 * confidence passes (mean token log-probability, or a verifier backend's
 * yes), otherwise the next stage is asked. The last stage's answer is
 * accepted whatever its confidence. A streaming request gets the accepted
 * answer as a stream of one content chunk (the first stages must be read
 * whole to be judged). Every call's usage and cost count for the request.
 */
export function cascadeRunner(plan: CascadePlan): Runner {
  return { run: (ctx) => runCascade(ctx, plan) };
}

async function runCascade(ctx: RunContext, plan: CascadePlan): Promise<Response> {
  const { op, route, body, rank } = ctx;
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
  const tried: string[] = [];
  let answer: Answer | undefined;
  let lastError: GatewayError | undefined;
  for (let i = 0; i < plan.stages.length && !answer?.accepted; i++) {
    const backend = plan.stages[i] as CompiledBackend;
    const last = i === plan.stages.length - 1;
    // An ejected stage is skipped, except the last one: something must answer.
    const result = await ctx.call(backend, stageBody, { evenIfEjected: last });
    if (result.kind === 'skipped') {
      tried.push(`${backend.name}=${result.why}`);
      continue;
    }
    if (result.kind === 'failed') {
      if (result.clientFault) throw result.error;
      lastError = result.error;
      tried.push(`${backend.name}=error`);
      continue;
    }
    const confidence = plan.confidence === 'logprob' ? meanLogprob(result.json) : await verify(ctx, plan, result.json);
    const accepted =
      plan.confidence === 'logprob' ? confidence !== undefined && confidence >= plan.minMeanLogprob : confidence === 1;
    tried.push(`${backend.name}=${confidence === undefined ? 'n/a' : confidence.toFixed(3)}`);
    answer = { backend, json: result.json, confidence, accepted: accepted || last, stage: i };
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
  ctx.decided(`stage-${answer.stage + 1}`);
  if (!body.logprobs) stripLogprobs(answer.json);
  return ctx.respond(answer.backend, answer.json, { 'x-switchboard-cascade': tried.join(', ') });
}

/** The objects of what should be a list of objects (a backend may send anything). */
function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))
    : [];
}

/** Mean token log-probability of the first choice (chat `logprobs.content`, or completions `token_logprobs`). */
function meanLogprob(json: Record<string, unknown>): number | undefined {
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

const VERIFY_SYSTEM =
  'You check answers. Reply with exactly one word: "yes" if the answer is correct and complete for the question, otherwise "no".';

/** AutoMix-style self-verification by another backend: 1 for yes, 0 for no (or no verdict). Its tokens count like a stage's. */
async function verify(ctx: RunContext, plan: CascadePlan, json: Record<string, unknown>): Promise<number> {
  const verifier = plan.verifier;
  if (!verifier) return 0;
  const body: ProxiedBody = {
    model: verifier.model,
    messages: [
      { role: 'system', content: VERIFY_SYSTEM },
      {
        role: 'user',
        content: `Question:\n${ctx.rank.prompt()}\n\nAnswer:\n${ctx.op.completionText(json)}\n\nIs the answer correct?`,
      },
    ],
    max_tokens: 3,
    temperature: 0,
  };
  const result = await ctx.call(verifier, body, { op: chatCompletions, evenIfEjected: true });
  if (result.kind !== 'answer') return 0;
  return chatCompletions.completionText(result.json).trim().toLowerCase().startsWith('yes') ? 1 : 0;
}

function stripLogprobs(json: Record<string, unknown>): void {
  for (const choice of objects(json.choices)) if ('logprobs' in choice) choice.logprobs = null;
}
