import { baseHeaders, serialize } from '../openai/index.js';
import type { Provider } from '../provider.js';
import { toAnthropicRequest } from './request.js';
import { toOpenAIChat } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/**
 * The Anthropic Messages API behind OpenAI's chat completions: requests,
 * answers and streams are translated (system prompt, content blocks, images,
 * tool use, stop reasons, usage). Completions and embeddings have no
 * Messages API equivalent, so routing skips Anthropic backends for them.
 */
export const anthropicProvider: Provider = {
  supports: (op) => op.name === 'chat',
  buildRequest(_op, backend, body, requestId) {
    const headers = baseHeaders(backend, body, requestId);
    headers['anthropic-version'] =
      backend.settings.kind === 'anthropic' ? backend.settings.apiVersion : ANTHROPIC_DEFAULT_VERSION;
    if (backend.apiKey) headers['x-api-key'] = backend.apiKey;
    return { path: `${backend.baseUrl.pathname}messages`, headers, body: serialize(toAnthropicRequest(body, backend)) };
  },
  toOpenAI: (json) => toOpenAIChat(json),
  streamTranslator: ({ body }) =>
    new AnthropicStreamTranslator(
      Boolean((body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage),
    ),
  healthPath: 'models',
};
