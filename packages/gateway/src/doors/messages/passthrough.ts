import { isObject } from '../../request/is-object.js';
import type { MessagesPassthrough } from '../../providers/anthropic/index.js';
import type { StreamTranslator } from '../../providers/provider.js';
import { chatCompletions, type StreamEgress, type Upstream } from '../../request/operations.js';
import { withParts, type Usage } from '../../request/usage.js';
import type { MessagesCall } from './call.js';
import { errorEvent } from './errors.js';
import { frame } from './stream.js';
import { messagesUsage } from './from-chat.js';

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * Anthropic usage as the gateway counts it: every input token is a prompt
 * token (Anthropic's input_tokens leaves out cached reads and cache writes,
 * which are parts of it, priced apart); thinking tokens are reasoning tokens.
 */
export function usageFromAnthropic(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const input = num(usage.input_tokens);
  if (input === undefined) return undefined;
  const read = num(usage.cache_read_input_tokens) ?? 0;
  const written = num(usage.cache_creation_input_tokens) ?? 0;
  const details = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return withParts(
    { promptTokens: input + read + written, completionTokens: num(usage.output_tokens) ?? 0 },
    read,
    written,
    details.thinking_tokens,
  );
}

/** Text of a Message's text blocks. */
function messageText(message: unknown): string {
  const content = isObject(message) && Array.isArray(message.content) ? message.content : [];
  return content.map((b) => (isObject(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('');
}

/** The prompt tokens an Anthropic usage object reports, input and cache counts together (0 when none). */
const reportedInput = (usage: Obj): number =>
  (num(usage.input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0) + (num(usage.cache_creation_input_tokens) ?? 0);

/**
 * Reads an anthropic backend's own stream without changing it: each event's
 * payload goes on as it is; the usage is message_start's, updated by
 * message_delta (its counts are cumulative and may restate any of them),
 * known once message_delta came; the answer is complete at message_stop.
 * One exception: a message_start that reports no input tokens at all (some
 * Anthropic-compatible servers count them only at the end) gets the
 * gateway's count of the prompt, so clients and the gateway's accounting
 * read the same number until message_delta says otherwise.
 */
class MessagesRelay implements StreamTranslator {
  #usage: Obj = {};
  #final = false;
  #complete = false;

  constructor(private readonly promptTokens: number) {}

  get usage(): Usage | undefined {
    return this.#final ? usageFromAnthropic(this.#usage) : undefined;
  }

  get complete(): boolean {
    return this.#complete;
  }

  event(e: { event?: string | undefined; data: string }): unknown[] {
    const payload: unknown = JSON.parse(e.data);
    if (!isObject(payload)) return [payload];
    switch (payload.type ?? e.event) {
      case 'message_start': {
        if (!isObject(payload.message)) break;
        const usage = isObject(payload.message.usage) ? payload.message.usage : undefined;
        if (this.promptTokens && !(usage && reportedInput(usage))) {
          if (usage) usage.input_tokens = this.promptTokens;
          else payload.message.usage = { input_tokens: this.promptTokens, output_tokens: 0 };
        }
        if (isObject(payload.message.usage)) this.#usage = { ...payload.message.usage };
        break;
      }
      case 'message_delta':
        if (isObject(payload.usage)) {
          for (const [k, v] of Object.entries(payload.usage)) if (v != null) this.#usage[k] = v;
        }
        this.#final = true;
        break;
      case 'message_stop':
        this.#complete = true;
        break;
    }
    return [payload];
  }
}

/** The Messages API as a backend operation, for anthropic backends: usage and text read from Messages answers and events. */
function messagesApi(call: MessagesCall, promptTokens: number): MessagesPassthrough {
  const op: MessagesPassthrough = {
    ...chatCompletions,
    path: 'messages',
    anthropicHeaders: call.anthropicHeaders,
    // Stream usage comes from the relay; an answer's from its own usage.
    usageOf: (payload) => (isObject(payload) && payload.type === 'message' ? usageFromAnthropic(payload.usage) : undefined),
    usageField: messagesUsage,
    streamDone: (_event, payload) => isObject(payload) && payload.type === 'message_stop',
    completionText: messageText,
    deltaText: (chunk) =>
      isObject(chunk) && isObject(chunk.delta) && chunk.delta.type === 'text_delta' && typeof chunk.delta.text === 'string'
        ? chunk.delta.text
        : '',
    relay: () => new MessagesRelay(promptTokens),
  };
  // Sent as itself: not through chat completions' own upstream (its stream-usage option).
  delete op.upstream;
  return op;
}

/**
 * Frames the backend's events for the client again (the relay parsed them):
 * the same events, in Anthropic's framing; a failure of the gateway's own
 * after the start is an `error` event, unless the backend already sent one.
 */
class PassthroughEgress implements StreamEgress {
  #failed = false;

  payload(payload: unknown): string {
    if (this.#failed || !isObject(payload) || typeof payload.type !== 'string') return '';
    if (payload.type === 'error') this.#failed = true;
    const { type, ...fields } = payload;
    return frame(type, fields);
  }

  end(): string {
    return '';
  }

  error(failure: { status: number; toJSON(): { error: { message: string } } }): string {
    if (this.#failed) return '';
    this.#failed = true;
    return errorEvent(failure.status, failure.toJSON().error.message);
  }
}

/**
 * How a Messages request reaches an anthropic backend: the client's body as
 * it is (the provider sets the backend's model). `promptTokens`: the
 * gateway's count, for a stream whose message_start reports none.
 */
export function passthrough(call: MessagesCall, promptTokens = 0): Upstream {
  return {
    op: messagesApi(call, promptTokens),
    body: call.request,
    answer: (json) => json,
    ...(call.request.stream ? { egress: new PassthroughEgress() } : {}),
  };
}
