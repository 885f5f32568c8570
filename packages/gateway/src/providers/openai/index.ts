import { badRequest } from '../../errors.js';
import type { Provider, Usage } from '../provider.js';

/**
 * OpenAI's HTTP API, also spoken by vLLM, SGLang, TGI, NIM, Ollama and most
 * hosted services. The body passes through with only `model` replaced.
 */
export const openAIProvider: Provider = {
  buildRequest(op, backend, body, requestId) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: body.stream ? 'text/event-stream' : 'application/json',
      'x-request-id': requestId,
    };
    if (backend.apiKey) headers.authorization = `Bearer ${backend.apiKey}`;
    let json: string;
    try {
      json = JSON.stringify({ ...body, model: backend.model });
    } catch (err) {
      // JSON.parse accepts any depth, JSON.stringify recurses: a body nested
      // thousands deep fails here and is the client's to fix.
      if (err instanceof RangeError) throw badRequest('The request body is nested too deeply.', 'invalid_json');
      throw err;
    }
    return { path: `${backend.baseUrl.pathname}${op.path}`, headers, body: json };
  },
  usageOf: usageFromOpenAI,
};

/** `usage` of an OpenAI response or final stream chunk. */
export function usageFromOpenAI(value: unknown): Usage | undefined {
  const usage = (value as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  if (!usage || typeof usage.prompt_tokens !== 'number') return undefined;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
  };
}
