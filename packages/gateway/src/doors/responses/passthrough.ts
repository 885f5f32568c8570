import { isObject } from '../../request/is-object.js';
import { chatCompletions, type Operation, type StreamEgress, type Upstream } from '../../request/operations.js';
import { toOpenAIUsage, withParts, type Usage } from '../../request/usage.js';
import { responsesUsage } from './from-chat.js';
import type { ResponsesCall } from './call.js';
import type { ResponsesItem, ResponsesRequest } from './schema.js';
import { EventFramer, type StreamFailure } from './stream.js';

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Responses usage (input/output tokens and their details) as the gateway counts it. */
export function usageFromResponses(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const input = num(usage.input_tokens);
  if (input === undefined) return undefined;
  const inDetails = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const outDetails = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return withParts(
    { promptTokens: input, completionTokens: num(usage.output_tokens) ?? 0 },
    inDetails.cached_tokens,
    undefined,
    outDetails.reasoning_tokens,
  );
}

const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const RESPONSE_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued', ...FINAL_EVENTS]);

/** Text of a Response's output messages. */
function outputText(response: unknown): string {
  const output = isObject(response) && Array.isArray(response.output) ? response.output : [];
  let text = '';
  for (const item of output) {
    if (!isObject(item) || item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content)
      if (isObject(part) && part.type === 'output_text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/**
 * The Responses API as a backend operation, for backends that serve it
 * (OpenAI, Azure OpenAI): the request goes as it is (its conversation
 * expanded, nothing stored upstream), usage and text are read from
 * Responses answers and events.
 */
export const responsesApi: Operation = {
  ...chatCompletions,
  path: 'responses',
  usageOf: (payload) => {
    if (!isObject(payload)) return undefined;
    if (typeof payload.type === 'string')
      return FINAL_EVENTS.has(payload.type) && isObject(payload.response)
        ? usageFromResponses(payload.response.usage)
        : undefined;
    return usageFromResponses(payload.usage);
  },
  usageField: (usage) => responsesUsage(toOpenAIUsage(usage)) ?? {},
  streamDone: (_event, payload) => isObject(payload) && typeof payload.type === 'string' && FINAL_EVENTS.has(payload.type),
  completionText: outputText,
  deltaText: (chunk) =>
    isObject(chunk) && chunk.type === 'response.output_text.delta' && typeof chunk.delta === 'string' ? chunk.delta : '',
};
// Sent as itself: not through chat completions' own upstream (its stream-usage option).
delete responsesApi.upstream;

/**
 * The conversation as the backend gets it: the gateway keeps the state, so
 * items carry no ids the backend would look up (nothing is stored there),
 * and reasoning items only when they carry their encrypted content.
 */
function upstreamInput(items: readonly ResponsesItem[]): ResponsesItem[] {
  const out: ResponsesItem[] = [];
  for (const item of items) {
    if (item.type === 'reasoning') {
      if (typeof item.encrypted_content === 'string') out.push(item);
      continue;
    }
    const rest = { ...item };
    delete rest.id;
    out.push(rest);
  }
  return out;
}

/** The backend's Response as the client's: the gateway's id and the request's own conversation fields. */
function asClients(call: ResponsesCall, response: Obj): Obj {
  return { ...response, id: call.id, previous_response_id: call.request.previous_response_id ?? null, store: call.store };
}

/** Re-frames a backend's Responses stream: the gateway's id in every response object, the final one stored. */
class PassthroughEgress implements StreamEgress {
  readonly #events = new EventFramer();
  #final: Obj | undefined;
  #output: Obj[] = [];
  #failed = false;

  constructor(
    private readonly call: ResponsesCall,
    private readonly finish: (response: Obj) => Promise<unknown>,
  ) {}

  payload(payload: unknown): string {
    if (!isObject(payload) || typeof payload.type !== 'string' || this.#failed) return '';
    this.#events.follow(payload.sequence_number);
    let event = payload;
    if (RESPONSE_EVENTS.has(payload.type) && isObject(payload.response)) {
      event = { ...payload, response: asClients(this.call, payload.response) };
      if (FINAL_EVENTS.has(payload.type)) this.#final = event.response as Obj;
    }
    if (payload.type === 'response.output_item.done' && isObject(payload.item)) this.#output.push(payload.item);
    if (payload.type === 'error') this.#failed = true;
    return `event: ${payload.type}\ndata: ${JSON.stringify(event)}\n\n`;
  }

  async end(): Promise<string> {
    if (this.#final) await this.finish(this.#final);
    return '';
  }

  error(failure: StreamFailure): string {
    if (this.#failed) return '';
    this.#failed = true;
    return this.#events.failure(this.call, this.#output, failure);
  }
}

/** How a Responses request reaches a backend that serves the Responses API. */
export function passthrough(call: ResponsesCall, finish: (response: Obj) => Promise<unknown>): Upstream {
  const request: ResponsesRequest = { ...call.request };
  delete request.previous_response_id;
  return {
    op: responsesApi,
    body: { ...request, input: upstreamInput(call.input), store: false },
    answer: (json) => (isObject(json) ? finish(asClients(call, json)) : json),
    ...(call.request.stream ? { egress: new PassthroughEgress(call, finish) } : {}),
  };
}
