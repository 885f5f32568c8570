import type { Context } from 'hono';
import { badRequest } from '../../errors.js';
import { requestHeader } from '../../request/headers.js';
import { chatCompletions, type ProxiedBody } from '../../request/operations.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { Door } from '../door.js';
import type { MessagesCall } from './call.js';
import { fromChat } from './from-chat.js';
import { passthrough } from './passthrough.js';
import { validateCountTokensRequest, validateMessagesRequest, type MessagesRequest } from './schema.js';
import { MessagesEgress } from './stream.js';
import { checkRequest, toChatRequest, untranslatable } from './to-chat.js';

type Obj = Record<string, unknown>;

/** Providers whose chat completions take max_completion_tokens (OpenAI's reasoning models refuse max_tokens); others get max_tokens, which every OpenAI-compatible server reads. */
const MAX_COMPLETION_TOKENS = new Set(['openai', 'azure-openai']);

/** The client's headers a passed-through request is sent with: its body was written for them. */
function anthropicHeaders(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = requestHeader(c, name);
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The Anthropic Messages API (`POST /v1/messages`) in front of the chat
 * pipeline: routed as the chat completions request it stands for, passed
 * through unchanged to anthropic backends, translated to chat completions
 * (and back, streaming included) for every other provider.
 */
export class MessagesDoor implements Door {
  readonly #calls = new WeakMap<ProxiedBody, MessagesCall>();

  toRouted(json: Obj, c: Context): Promise<ProxiedBody> {
    const request = validateMessagesRequest(json);
    checkRequest(request);
    const routed = toChatRequest(request);
    this.#calls.set(routed, { request, anthropicHeaders: anthropicHeaders(c) });
    return Promise.resolve(routed);
  }

  /** A count_tokens request, checked, as the chat completions request it would be routed as. */
  countable(json: Obj): ProxiedBody {
    const request = validateCountTokensRequest(json);
    checkRequest(request);
    return toChatRequest(request);
  }

  upstream(backend: CompiledBackend, routed: ProxiedBody, promptTokens?: number): ReturnType<Door['upstream']> {
    const call = this.#call(routed);
    if (backend.provider === 'anthropic') return passthrough(call, promptTokens);
    refuseUntranslatable(call.request, backend);
    return {
      op: chatCompletions,
      body: chatBody(routed, backend),
      answer: (json) => fromChat(call, json),
      ...(routed.stream ? { egress: new MessagesEgress(call, promptTokens) } : {}),
    };
  }

  render(routed: ProxiedBody, promptTokens?: number): ReturnType<Door['render']> {
    const call = this.#call(routed);
    return { answer: (json) => fromChat(call, json), egress: () => new MessagesEgress(call, promptTokens) };
  }

  /** Anthropic's SDKs read an answer's request id from `request-id`: the gateway's, as in x-request-id and its logs. */
  answerHeaders(requestId: string): Record<string, string> {
    return { 'request-id': requestId };
  }

  #call(routed: ProxiedBody): MessagesCall {
    const call = this.#calls.get(routed);
    if (!call) throw new Error('a Messages request reached a backend without going through the door');
    return call;
  }
}

/** What only anthropic backends take cannot be sent to another as it was meant: a clear 400, not a silent drop. */
function refuseUntranslatable(request: MessagesRequest, backend: CompiledBackend): void {
  const found = untranslatable(request);
  if (!found) return;
  throw badRequest(
    `${found.param}: ${found.what} is passed through to anthropic backends only; the route chose backend "${backend.name}" (${backend.provider}), which is sent chat completions.`,
    'unsupported_parameter',
    found.param,
  );
}

/** The routed request as `backend` gets it: metadata stays with routing, the output limit in the field the provider reads. */
function chatBody(routed: ProxiedBody, backend: CompiledBackend): ProxiedBody {
  const body: ProxiedBody = { ...routed };
  delete body.metadata;
  if (!MAX_COMPLETION_TOKENS.has(backend.provider) && body.max_completion_tokens !== undefined) {
    body.max_tokens = body.max_completion_tokens;
    delete body.max_completion_tokens;
  }
  return body;
}
