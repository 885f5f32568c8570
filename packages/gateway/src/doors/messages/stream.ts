import { isObject } from '../../request/is-object.js';
import type { StreamEgress } from '../../request/operations.js';
import { usageFromOpenAI, type Usage } from '../../request/usage.js';
import { newId, type MessagesCall } from './call.js';
import { errorEvent } from './errors.js';
import { messagesUsage, stopOf } from './from-chat.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One Anthropic stream event, framed as Anthropic frames them: the event name, and the same name as the data's `type`. */
export const frame = (type: string, fields: Obj = {}): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;

type Open = { kind: 'text' | 'tool'; index: number };

/**
 * chat.completion.chunk payloads -> the Messages API's stream:
 * `message_start` first, then per content block its `content_block_start`,
 * deltas (`text_delta`, `input_json_delta` for a tool call's arguments) and
 * `content_block_stop`, one block open at a time, indexed from 0 in order;
 * once the upstream stream ended, `message_delta` with the stop reason and
 * the whole usage, then `message_stop`. A failure is an `error` event, after
 * which nothing more is sent.
 *
 * Chat streams report usage at their end, so message_start carries the
 * gateway's own count of the prompt (the one routing and limits use, with
 * the backend's tokenizer) as its input tokens; message_delta carries every
 * count, the backend's when it reported them (the SDKs take input and cache
 * counts from it in place of message_start's).
 */
export class MessagesEgress implements StreamEgress {
  readonly #id = newId('msg');
  #started = false;
  #next = 0;
  #open: Open | undefined;
  /** The chat stream's tool_calls index -> the block it opened (a late delta still lands in its block). */
  readonly #tools = new Map<number, number>();
  #finish: unknown;
  #matched: unknown;
  #usage: Usage | undefined;
  #model = '';
  #failed = false;

  constructor(
    private readonly call: MessagesCall,
    /** The gateway's count of the prompt, for message_start; unknown reads as 0. */
    private readonly promptTokens = 0,
  ) {}

  payload(payload: unknown): string {
    if (this.#failed || !isObject(payload)) return '';
    if (isObject(payload.error)) {
      this.#failed = true;
      return errorEvent(502, str(payload.error.message) || 'backend stream error');
    }
    if (!this.#model && typeof payload.model === 'string') this.#model = payload.model;
    let out = this.#start();
    this.#usage = usageFromOpenAI(payload) ?? this.#usage;
    const choice: unknown = Array.isArray(payload.choices)
      ? payload.choices.find((c) => isObject(c) && (c.index ?? 0) === 0)
      : undefined;
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const text = str(delta.content) || str(delta.refusal);
    if (text) out += this.#text(text);
    for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) if (isObject(tc)) out += this.#toolCall(tc);
    if (choice.finish_reason != null) {
      this.#finish = choice.finish_reason;
      this.#matched = choice.stop_reason;
    }
    return out;
  }

  /** `counted`: the gateway's count, for a backend that reported no usage. */
  end(counted?: Usage): string {
    if (this.#failed) return '';
    const out = this.#start() + this.#close();
    const stop = stopOf(this.call, this.#finish, this.#matched);
    return out + frame('message_delta', { delta: stop, usage: messagesUsage(this.#usage ?? counted) }) + frame('message_stop');
  }

  error(failure: { status: number; toJSON(): { error: { message: string } } }): string {
    if (this.#failed) return '';
    this.#failed = true;
    return errorEvent(failure.status, failure.toJSON().error.message);
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    const message = {
      id: this.#id,
      type: 'message',
      role: 'assistant',
      model: this.#model || this.call.request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messagesUsage({ promptTokens: this.promptTokens, completionTokens: 0 }),
    };
    return frame('message_start', { message });
  }

  #text(text: string): string {
    let out = '';
    if (this.#open?.kind !== 'text') {
      out += this.#close();
      this.#open = { kind: 'text', index: this.#next++ };
      out += frame('content_block_start', { index: this.#open.index, content_block: { type: 'text', text: '' } });
    }
    return out + frame('content_block_delta', { index: this.#open.index, delta: { type: 'text_delta', text } });
  }

  #toolCall(tc: Obj): string {
    let out = '';
    const chatIndex = typeof tc.index === 'number' ? tc.index : 0;
    const fn = isObject(tc.function) ? tc.function : {};
    let index = this.#tools.get(chatIndex);
    if (index === undefined) {
      out += this.#close();
      index = this.#next++;
      this.#tools.set(chatIndex, index);
      this.#open = { kind: 'tool', index };
      const block = { type: 'tool_use', id: str(tc.id) || newId('toolu'), name: str(fn.name), input: {} };
      out += frame('content_block_start', { index, content_block: block });
    }
    // Backends send one call's arguments before the next's; one that goes back to an earlier call
    // still has its arguments land in that call's block (clients accumulate deltas by index).
    const args = str(fn.arguments);
    if (!args) return out;
    return out + frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } });
  }

  #close(): string {
    const open = this.#open;
    if (!open) return '';
    this.#open = undefined;
    return frame('content_block_stop', { index: open.index });
  }
}
