import type { CompiledBackend } from '../../table/backend.js';
import { badRequest } from '../../errors.js';
import type { Operation, ProxiedBody } from '../../request/operations.js';
import type { Provider, UpstreamRequest } from '../provider.js';

/** JSON of `value`; a body nested too deeply for JSON.stringify is the client's to fix. */
export function serialize(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    // JSON.parse accepts any depth, JSON.stringify recurses.
    if (err instanceof RangeError) throw badRequest('The request body is nested too deeply.', 'invalid_json');
    throw err;
  }
}

/** Headers every backend request carries: the backend's extras first, so they cannot replace ours. */
export function baseHeaders(backend: CompiledBackend, body: ProxiedBody, requestId: string): Record<string, string> {
  return {
    ...backend.headers,
    'content-type': 'application/json',
    accept: body.stream ? 'text/event-stream' : 'application/json',
    'x-request-id': requestId,
  };
}

/** OpenAI's HTTP API request: the body with `model` replaced, a Bearer key. */
function openAIRequest(op: Operation, backend: CompiledBackend, body: ProxiedBody, requestId: string): UpstreamRequest {
  const headers = baseHeaders(backend, body, requestId);
  if (backend.apiKey) headers.authorization = `Bearer ${backend.apiKey}`;
  return { path: `${backend.baseUrl.pathname}${op.path}`, headers, body: serialize({ ...body, model: backend.model }) };
}

/**
 * OpenAI's HTTP API, also spoken by vLLM, SGLang, TGI, Ollama, Together,
 * Groq, Mistral and most hosted services. Bodies pass through.
 */
export const openAIProvider: Provider = {
  supports: () => true,
  buildRequest: openAIRequest,
  healthPath: 'models',
};

/** NVIDIA NIM: OpenAI-compatible, with its own readiness endpoint for health checks. */
export const nimProvider: Provider = { ...openAIProvider, healthPath: 'health/ready' };
