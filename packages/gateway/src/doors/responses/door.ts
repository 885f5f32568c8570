import type { Context } from 'hono';
import type { Logger } from 'pino';
import { ownerOf } from '../../auth/api-keys.js';
import { badRequest, GatewayError } from '../../errors.js';
import { isObject } from '../../request/is-object.js';
import { chatCompletions, type ProxiedBody } from '../../request/operations.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { Door } from '../door.js';
import { newId, withIds, type ResponsesCall } from './call.js';
import { fromChat } from './from-chat.js';
import { passthrough } from './passthrough.js';
import { validateResponsesRequest, type ResponsesItem } from './schema.js';
import type { ResponseStore, StoredResponse } from './store.js';
import { ResponsesEgress } from './stream.js';
import { checkRequest, inputItems, toChatRequest } from './to-chat.js';

type Obj = Record<string, unknown>;

export interface ResponsesDoorOptions {
  store: ResponseStore;
  log: Logger;
  /** Largest conversation (earlier turns and this input, serialised) a request may carry; the request body limit. */
  maxInputBytes: number;
}

/** Backends that serve the Responses API themselves: requests pass through. */
const SPEAKS_RESPONSES = new Set(['openai', 'azure-openai']);

const storeUnavailable = (err: unknown) =>
  new GatewayError(503, 'server_error', 'The stored-responses store is not reachable; try again.', {
    code: 'store_unavailable',
    headers: { 'retry-after': '1' },
    cause: err,
  });

/**
 * The OpenAI Responses API (`POST /v1/responses`) in front of the chat
 * pipeline. The gateway keeps the conversation state: `previous_response_id`
 * is read from the caller's own stored responses and expanded into the
 * input, so any backend — and after a failover, another backend — continues
 * it, and backends that serve the Responses API store nothing.
 */
export class ResponsesDoor implements Door {
  readonly #calls = new WeakMap<ProxiedBody, ResponsesCall>();

  constructor(private readonly opts: ResponsesDoorOptions) {}

  async toRouted(json: Obj, c: Context): Promise<ProxiedBody> {
    const call = await this.prepare(json, c);
    const routed = toChatRequest(call.request, call.input);
    this.#calls.set(routed, call);
    return routed;
  }

  /** The checked request with its conversation so far (shared with input_tokens). */
  async prepare(json: Obj, c: Context): Promise<ResponsesCall> {
    const request = validateResponsesRequest(json);
    checkRequest(request);
    const owner = ownerOf(c.get('caller'));
    const earlier = request.previous_response_id ? await this.#conversation(owner, request.previous_response_id) : [];
    const input = [...earlier, ...withIds(inputItems(request.input))];
    if (earlier.length && JSON.stringify(input).length > this.opts.maxInputBytes) {
      throw badRequest(
        `The conversation continued from '${request.previous_response_id}' is larger than ${this.opts.maxInputBytes} bytes; start a new one.`,
        'conversation_too_large',
        'previous_response_id',
      );
    }
    return { id: newId('resp'), owner, createdAt: Math.floor(Date.now() / 1000), request, input, store: request.store !== false };
  }

  upstream(backend: CompiledBackend, routed: ProxiedBody): ReturnType<Door['upstream']> {
    const call = this.#call(routed);
    const finish = (response: Obj) => this.#finish(call, response);
    if (SPEAKS_RESPONSES.has(backend.provider)) return passthrough(call, finish);
    // Metadata is the stored response's (and routing rules'); chat backends are not told.
    const body: ProxiedBody = { ...routed };
    delete body.metadata;
    return {
      op: chatCompletions,
      body,
      answer: (json) => finish(fromChat(call, json)),
      ...(routed.stream ? { egress: new ResponsesEgress(call, finish) } : {}),
    };
  }

  render(routed: ProxiedBody): ReturnType<Door['render']> {
    const call = this.#call(routed);
    const finish = (response: Obj) => this.#finish(call, response);
    return { answer: (json) => finish(fromChat(call, json)), egress: () => new ResponsesEgress(call, finish) };
  }

  /** The caller's stored response, or undefined (unknown, expired, deleted or another caller's: all look alike). */
  async load(owner: string, id: string): Promise<StoredResponse | undefined> {
    try {
      return await this.opts.store.get(owner, id);
    } catch (err) {
      throw storeUnavailable(err);
    }
  }

  async delete(owner: string, id: string): Promise<boolean> {
    try {
      return await this.opts.store.delete(owner, id);
    } catch (err) {
      throw storeUnavailable(err);
    }
  }

  async #conversation(owner: string, id: string): Promise<ResponsesItem[]> {
    const previous = await this.load(owner, id);
    if (!previous) {
      throw badRequest(`Previous response with id '${id}' not found.`, 'previous_response_not_found', 'previous_response_id');
    }
    return [...previous.input, ...backendItems(previous.response.output)];
  }

  #call(routed: ProxiedBody): ResponsesCall {
    const call = this.#calls.get(routed);
    if (!call) throw new Error('a Responses request reached a backend without going through the door');
    return call;
  }

  /**
   * Stores the answer (when the request asked to) before the client has it,
   * so a follow-up naming it finds it on any replica. A store that fails
   * costs the follow-up, not this answer: it is logged.
   */
  async #finish(call: ResponsesCall, response: Obj): Promise<Obj> {
    if (!call.store) return response;
    try {
      await this.opts.store.put(call.owner, call.id, { response, input: call.input });
    } catch (err) {
      this.opts.log.warn(
        { err: (err as Error).message, response: call.id },
        'could not store a response; it cannot be continued',
      );
    }
    return response;
  }
}

/**
 * A backend's output items as the next turn's input. The backend is
 * untrusted and its Response is stored as it sent it: items or content
 * parts that are not objects (`output: [null, 5]`) are left out, or every
 * continuation of that conversation would fail in translation.
 */
function backendItems(output: unknown): ResponsesItem[] {
  if (!Array.isArray(output)) return [];
  return output.filter(isObject).map((item) => {
    const content = item.content;
    if (content === undefined || typeof content === 'string') return item;
    return { ...item, content: Array.isArray(content) ? content.filter(isObject) : [] };
  });
}
