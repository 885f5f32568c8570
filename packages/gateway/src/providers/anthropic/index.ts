import type { Operation } from '../../request/operations.js';
import { baseHeaders, serialize } from '../openai/index.js';
import type { Provider, StreamTranslator } from '../provider.js';
import { schemaToolName } from './json-output.js';
import { toAnthropicRequest } from './request.js';
import { toOpenAIChat } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/**
 * A Messages API request as its client wrote it (the Messages front door,
 * passing through): sent as it is with `model` replaced, under the client's
 * anthropic-version and anthropic-beta (the body was written for them), its
 * answer and stream returned as they are.
 */
export interface MessagesPassthrough extends Operation {
  readonly path: 'messages';
  /** The client's anthropic-version and anthropic-beta headers. */
  readonly anthropicHeaders: Readonly<Record<string, string>>;
  /** Reads the backend's own stream (for its usage and its end) and changes nothing. */
  relay(): StreamTranslator;
}

export const isMessagesPassthrough = (op: Operation): op is MessagesPassthrough => op.path === 'messages';

/**
 * The Anthropic Messages API behind OpenAI's chat completions: requests,
 * answers and streams are translated (system prompt, content blocks, images,
 * tool use, response_format, stop reasons, usage) — except the Messages
 * door's own requests, which pass through. Completions and embeddings have
 * no Messages API equivalent, so routing skips Anthropic backends for them.
 */
export const anthropicProvider: Provider = {
  supports: (op) => op.name === 'chat',
  buildRequest(op, backend, body, requestId) {
    const headers = baseHeaders(backend, body, requestId);
    headers['anthropic-version'] =
      backend.settings.kind === 'anthropic' ? backend.settings.apiVersion : ANTHROPIC_DEFAULT_VERSION;
    if (backend.apiKey) headers['x-api-key'] = backend.apiKey;
    const path = `${backend.baseUrl.pathname}messages`;
    if (!isMessagesPassthrough(op)) return { path, headers, body: serialize(toAnthropicRequest(body, backend)) };
    const { 'anthropic-beta': beta, ...rest } = op.anthropicHeaders;
    Object.assign(headers, rest);
    // The client's betas join those the backend is configured with.
    if (beta) headers['anthropic-beta'] = headers['anthropic-beta'] ? `${headers['anthropic-beta']},${beta}` : beta;
    return { path, headers, body: serialize({ ...body, model: backend.model }) };
  },
  toOpenAI: (json, { op, body, backend }) =>
    isMessagesPassthrough(op) ? json : toOpenAIChat(json, undefined, schemaToolName(body), backend.name),
  streamTranslator: ({ op, body }) =>
    isMessagesPassthrough(op)
      ? op.relay()
      : new AnthropicStreamTranslator(
          Boolean((body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage),
          schemaToolName(body),
        ),
  healthPath: 'models',
};
