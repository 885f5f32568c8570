import type { Attributes } from '@opentelemetry/api';
import type { ProxiedBody } from '../request/operations.js';
import type { CompiledBackend, ProviderName } from '../table/backend.js';

// OpenTelemetry GenAI semantic conventions (gen_ai.*) and the gateway's own
// (switchboard.*), in one place.

/** `gen_ai.provider.name` well-known values where the convention has one; the provider name otherwise. */
export function providerName(provider: ProviderName): string {
  if (provider === 'azure-openai') return 'azure.ai.openai';
  return provider;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** What the client asked for: operation, model and sampling parameters. */
export function requestAttributes(operation: string, model: string, body: ProxiedBody): Attributes {
  const a: Attributes = { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model };
  const maxTokens = num(body.max_completion_tokens) ?? num(body.max_tokens);
  if (maxTokens !== undefined) a['gen_ai.request.max_tokens'] = maxTokens;
  for (const [field, attr] of [
    ['temperature', 'gen_ai.request.temperature'],
    ['top_p', 'gen_ai.request.top_p'],
  ] as const) {
    const v = num(body[field]);
    if (v !== undefined) a[attr] = v;
  }
  return a;
}

/** One upstream call: the backend, where it is, and which try this is. */
export function attemptAttributes(operation: string, backend: CompiledBackend, attempt: number, purpose: string): Attributes {
  const port = Number(backend.baseUrl.port) || (backend.baseUrl.protocol === 'https:' ? 443 : 80);
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': backend.model,
    'gen_ai.provider.name': providerName(backend.provider),
    'server.address': backend.baseUrl.hostname,
    'server.port': port,
    'switchboard.backend': backend.name,
    'switchboard.attempt': attempt,
    'switchboard.purpose': purpose,
  };
}

/** The messages of a chat request (or a completion's prompt), as the opt-in `gen_ai.input.messages` holds them. */
export function inputMessages(body: ProxiedBody): string {
  if (Array.isArray(body.messages)) return JSON.stringify(body.messages);
  return JSON.stringify([{ role: 'user', content: body.prompt ?? body.input ?? '' }]);
}
