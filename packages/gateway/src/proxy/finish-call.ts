import { isObject } from '../request/is-object.js';
import type { GatewayError } from '../errors.js';
import { chatCompletions, type ProxiedBody, type StreamEgress, type Upstream } from '../request/operations.js';
import { addUsage, toOpenAIUsage, usageFromOpenAI, type Usage } from '../request/usage.js';
import type { CompiledBackend } from '../table/backend.js';
import type { FinishOptions } from '../table/route.js';
import { orderByHealth } from './candidates.js';
import type { ProxyCall } from './proxy-call.js';
import { walkBackends } from './walk.js';

type Obj = Record<string, unknown>;

/** `payload` with `prior` added to the usage it reports (when it reports one). */
function withPrior(payload: unknown, prior: Usage): unknown {
  if (!isObject(payload)) return payload;
  const own = usageFromOpenAI(payload);
  return own ? { ...payload, usage: toOpenAIUsage(addUsage(prior, own)) } : payload;
}

/** OpenAI's own stream framing, for chat clients of a re-framed stream. */
const openAIFraming = (): StreamEgress => ({
  payload: (p) => `data: ${JSON.stringify(p)}\n\n`,
  end: () => 'data: [DONE]\n\n',
  error: (err) => `data: ${JSON.stringify(err.toJSON())}\n\n`,
});

const isUsageChunk = (payload: unknown) =>
  isObject(payload) && Array.isArray(payload.choices) && payload.choices.length === 0 && payload.usage != null;

/**
 * How a runner's final call reaches each backend: as chat completions (its
 * body is the runner's, not the client's), with the answer shown through the
 * client's door and reporting the usage of every call of the request.
 */
function finalUpstream(w: ProxyCall, body: ProxiedBody, options: FinishOptions, promptTokens: number): Upstream {
  const prior = options.prior.usage;
  // The stream's input tokens, as its end reports them: the calls' before it, and this one's prompt.
  const rendering = w.door?.render(w.body, prior.promptTokens + promptTokens);
  const clientAsked = (w.body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
  const sent: ProxiedBody = body.stream ? { ...body, stream_options: { include_usage: true } } : body;
  const extend = !rendering && options.extend ? options.extend : (json: Obj) => json;
  let egress: StreamEgress | undefined;
  if (body.stream) {
    const inner = rendering ? rendering.egress() : openAIFraming();
    egress = {
      payload: (p) => inner.payload(withPrior(p, prior)),
      end: (counted) => inner.end(addUsage(prior, counted)),
      error: (err: GatewayError) => inner.error(err),
    };
  }
  return {
    op: chatCompletions,
    body: sent,
    answer: (json) => {
      const whole = withPrior(json, prior);
      return rendering ? rendering.answer(whole) : isObject(whole) ? extend(whole) : whole;
    },
    ...(egress ? { egress } : {}),
    ...(!rendering && !clientAsked ? { hide: isUsageChunk } : {}),
  };
}

/**
 * A runner's final call (a collaboration's last stage) through the proxy's
 * own failover walk over `backends`: health order, concurrency slots,
 * retries, streaming, metrics and learners as for any request. The
 * request's reservation settles once, on this call's usage plus the calls'
 * before it — also when no backend answers.
 */
export async function finishThroughWalk(
  w: ProxyCall,
  backends: readonly CompiledBackend[],
  body: ProxiedBody,
  options: FinishOptions,
): Promise<Response> {
  const { prior } = options;
  const counts = new Map<CompiledBackend['tokenizer'], number>();
  // The final prompt is the runner's: counted (once per tokenizer) if a backend reports no usage.
  const promptTokens = (b: CompiledBackend) => {
    let n = counts.get(b.tokenizer);
    if (n === undefined) counts.set(b.tokenizer, (n = chatCompletions.promptTokens(b.tokenizer, chatCompletions.view(body))));
    return n;
  };
  const call: ProxyCall = {
    ...w,
    body,
    routedBody: w.routedBody ?? w.body,
    promptTokens,
    upstreamFor: (b) => finalUpstream(w, body, options, promptTokens(b)),
    extraHeaders: options.headers,
    upstreamHeaders: options.upstreamHeaders ?? w.upstreamHeaders,
    settle: (usage, cost) => w.settle(usage ? addUsage(prior.usage, usage) : prior.usage, prior.cost + cost),
  };
  try {
    const pending = orderByHealth(backends, w.deps.states.route(w.route), performance.now(), call.skip);
    return await walkBackends(call, pending);
  } catch (err) {
    call.settle(undefined, 0);
    throw err;
  } finally {
    if (call.streaming) w.streaming = true;
  }
}
