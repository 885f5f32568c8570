import { GatewayError } from '../errors.js';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import type { SkipReason } from './candidates.js';

/** Why nothing answered, as the most useful error for the client. */
export function noBackendAnswered(
  route: CompiledRoute,
  lastError: GatewayError | undefined,
  skipped: { backend: string; reason: SkipReason }[],
  promptTokens: (b: CompiledBackend) => number,
  maxOutput: number,
): GatewayError {
  if (lastError) return lastError;
  const reasons = new Set(skipped.map((s) => s.reason));
  if (reasons.size === 1 && reasons.has('unsupported')) {
    return new GatewayError(
      400,
      'invalid_request_error',
      `No backend of route ${route.id} supports this endpoint or the features this request uses (tools, images, JSON mode).`,
      { code: 'unsupported_operation' },
    );
  }
  if (reasons.size === 1 && reasons.has('context_window')) {
    const largest = Math.max(...route.backends.map((b) => b.contextWindow ?? 0));
    const first = route.backends[0] as CompiledBackend;
    return new GatewayError(
      400,
      'invalid_request_error',
      `This route's largest context window is ${largest} tokens, but the request needs ${promptTokens(first) + maxOutput} (${promptTokens(first)} in the messages, ${maxOutput} for the completion). Shorten the messages or lower max_tokens.`,
      { code: 'context_length_exceeded', param: 'messages' },
    );
  }
  if (reasons.has('saturated')) {
    return new GatewayError(
      429,
      'rate_limit_error',
      `All backends of route ${route.id} are at their concurrency limit. Retry shortly.`,
      {
        code: 'backends_saturated',
        headers: { 'retry-after': '1' },
      },
    );
  }
  return new GatewayError(
    503,
    'upstream_error',
    `No backend of route ${route.id} is available (${skipped.map((s) => `${s.backend}: ${s.reason}`).join(', ') || 'retry budget exhausted'}).`,
    { code: 'no_backend_available', headers: { 'retry-after': '1' } },
  );
}
