import { isObject } from '../../request/is-object.js';
import type { StreamEgress } from '../../request/operations.js';
import { toOpenAIUsage, type Usage } from '../../request/usage.js';
import { newId, responseObject, type ResponsesCall } from './call.js';
import { functionCallItem, messageItem, responsesUsage, statusOf } from './from-chat.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the client is told when a stream fails after it started. */
export interface StreamFailure {
  status?: number;
  toJSON(): { error: { message: string; type: string; code: string | null } };
}

/** Frames Responses events: each has its type and the stream's next sequence number. */
export class EventFramer {
  #seq = 0;

  /** Continues after an upstream stream's own numbering. */
  follow(sequence: unknown): void {
    if (typeof sequence === 'number' && Number.isInteger(sequence) && sequence >= this.#seq) this.#seq = sequence + 1;
  }

  frame(type: string, fields: Obj): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#seq++, ...fields })}\n\n`;
  }

  /**
   * A failure: `response.failed` with what was made so far, then an `error`
   * event. The error event carries its fields at the top (the API's shape) and
   * under `error`, which the OpenAI SDKs raise as an API error.
   */
  failure(call: ResponsesCall, output: Obj[], failure: StreamFailure): string {
    const e = failure.toJSON().error;
    const code = e.code ?? (e.type === 'invalid_request_error' ? 'invalid_request' : 'server_error');
    const failed = responseObject(call, { status: 'failed', output, error: { code, message: e.message } });
    return (
      this.frame('response.failed', { response: failed }) +
      this.frame('error', {
        code,
        message: e.message,
        param: null,
        error: { type: e.type, code, message: e.message, param: null },
      })
    );
  }
}

interface OpenText {
  kind: 'text';
  index: number;
  id: string;
  text: string;
}
interface OpenCall {
  kind: 'call';
  index: number;
  id: string;
  callId: string;
  name: string;
  args: string;
  /** The chat stream's tool_calls index. */
  chatIndex: number;
}

/**
 * chat.completion.chunk payloads -> the Responses API's stream: created and
 * in_progress first, then per output item its added / delta / done events
 * (text in a message item, each tool call in a function_call item), and
 * `response.completed` (or `response.incomplete`) with the usage once the
 * upstream stream ended. `finish` stores the final response before the
 * client hears it is complete, so a follow-up can continue it at once.
 */
export class ResponsesEgress implements StreamEgress {
  readonly #events = new EventFramer();
  readonly #output: Obj[] = [];
  #started = false;
  #open: OpenText | OpenCall | undefined;
  #finish: unknown;
  #usage: unknown;
  #model = '';
  #refusal = '';
  #failed = false;

  constructor(
    private readonly call: ResponsesCall,
    private readonly finish: (response: Obj) => Promise<unknown>,
  ) {}

  payload(payload: unknown): string {
    if (this.#failed) return '';
    let out = this.#start();
    if (!isObject(payload)) return out;
    if (isObject(payload.error)) {
      this.#failed = true;
      const error = payload.error;
      const failure: StreamFailure = {
        toJSON: () => ({
          error: { message: str(error.message) || 'backend stream error', type: 'upstream_error', code: str(error.code) || null },
        }),
      };
      return out + this.#close() + this.#events.failure(this.call, this.#output, failure);
    }
    if (typeof payload.model === 'string' && payload.model) this.#model = payload.model;
    if (isObject(payload.usage)) this.#usage = payload.usage;
    const choice: unknown = Array.isArray(payload.choices)
      ? payload.choices.find((c) => isObject(c) && (c.index ?? 0) === 0)
      : undefined;
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const text = str(delta.content);
    if (text) out += this.#text(text);
    this.#refusal += str(delta.refusal);
    for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) if (isObject(tc)) out += this.#toolCall(tc);
    if (choice.finish_reason != null) this.#finish = choice.finish_reason;
    return out;
  }

  async end(counted: Usage): Promise<string> {
    if (this.#failed) return '';
    this.#usage ??= toOpenAIUsage(counted);
    let out = this.#start() + this.#close();
    if (this.#refusal) {
      const index = this.#output.length;
      const item = messageItem(newId('msg'), '', this.#refusal);
      out += this.#events.frame('response.output_item.added', {
        output_index: index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      this.#output.push(item);
      out += this.#events.frame('response.output_item.done', { output_index: index, item });
    }
    const status = statusOf(this.#finish);
    const response = responseObject(this.call, {
      ...status,
      output: this.#output,
      model: this.#model,
      usage: responsesUsage(this.#usage),
    });
    await this.finish(response);
    return out + this.#events.frame(status.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  error(failure: StreamFailure): string {
    if (this.#failed) return '';
    this.#failed = true;
    return this.#start() + this.#close() + this.#events.failure(this.call, this.#output, failure);
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    const response = responseObject(this.call, { status: 'in_progress', output: [] });
    return this.#events.frame('response.created', { response }) + this.#events.frame('response.in_progress', { response });
  }

  #text(text: string): string {
    let out = '';
    if (this.#open?.kind !== 'text') {
      out += this.#close();
      const open: OpenText = { kind: 'text', index: this.#output.length, id: newId('msg'), text: '' };
      this.#open = open;
      this.#output.push({ id: open.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] });
      out += this.#events.frame('response.output_item.added', { output_index: open.index, item: this.#output[open.index] });
      out += this.#events.frame('response.content_part.added', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
    }
    const open = this.#open;
    open.text += text;
    return (
      out +
      this.#events.frame('response.output_text.delta', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        delta: text,
        logprobs: [],
      })
    );
  }

  #toolCall(tc: Obj): string {
    let out = '';
    const chatIndex = typeof tc.index === 'number' ? tc.index : 0;
    const fn = isObject(tc.function) ? tc.function : {};
    if (this.#open?.kind !== 'call' || this.#open.chatIndex !== chatIndex) {
      out += this.#close();
      const open: OpenCall = {
        kind: 'call',
        index: this.#output.length,
        id: newId('fc'),
        callId: str(tc.id) || newId('call'),
        name: str(fn.name),
        args: '',
        chatIndex,
      };
      this.#open = open;
      const item = {
        id: open.id,
        type: 'function_call',
        status: 'in_progress',
        call_id: open.callId,
        name: open.name,
        arguments: '',
      };
      this.#output.push(item);
      out += this.#events.frame('response.output_item.added', { output_index: open.index, item });
    }
    const open = this.#open;
    const args = str(fn.arguments);
    if (!args) return out;
    open.args += args;
    return (
      out +
      this.#events.frame('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: args })
    );
  }

  /** Ends the open output item with its done events. */
  #close(): string {
    const open = this.#open;
    if (!open) return '';
    this.#open = undefined;
    if (open.kind === 'text') {
      const item = messageItem(open.id, open.text);
      this.#output[open.index] = item;
      const at = { item_id: open.id, output_index: open.index, content_index: 0 };
      return (
        this.#events.frame('response.output_text.done', { ...at, text: open.text, logprobs: [] }) +
        this.#events.frame('response.content_part.done', { ...at, part: (item.content as Obj[])[0] }) +
        this.#events.frame('response.output_item.done', { output_index: open.index, item })
      );
    }
    const item = functionCallItem(open.id, open.callId, open.name, open.args);
    this.#output[open.index] = item;
    return (
      this.#events.frame('response.function_call_arguments.done', {
        item_id: open.id,
        output_index: open.index,
        name: open.name,
        arguments: open.args,
      }) + this.#events.frame('response.output_item.done', { output_index: open.index, item })
    );
  }
}
