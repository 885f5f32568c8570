import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import type { Operation, ProxiedBody } from '../request/operations.js';

/** What a request may use at most, reserved against limits and budgets before it is sent. */
export interface UsageEstimate {
  /** Prompt tokens plus every completion token it may write. */
  tokens: number;
  /** Their price on the dearest backend that may answer. */
  cost: number;
}

/** `max_completion_tokens` or `max_tokens`: what the client allows per choice; 0 when unset. */
export function requestedOutputTokens(body: ProxiedBody): number {
  const n = body.max_completion_tokens ?? body.max_tokens;
  return typeof n === 'number' && n > 0 ? n : 0;
}

/** Choices requested (`n`); 1 when unset. */
function choices(body: ProxiedBody): number {
  return typeof body.n === 'number' && body.n > 1 ? Math.floor(body.n) : 1;
}

/**
 * The most completion tokens an answer to `body` can have used: `n` times
 * the client's max_tokens (reasoning tokens included, as providers count
 * them); 0 when the client set none. A backend is untrusted: a usage report
 * beyond this is not what it could bill, and would spend the caller's token
 * limits and budgets for nothing.
 */
export function outputTokenCap(body: ProxiedBody): number {
  const requested = requestedOutputTokens(body);
  return requested ? choices(body) * requested : 0;
}

/**
 * The worst case over the backends that may answer: the prompt plus `n`
 * times the completion each may write (the request's max_tokens, else the
 * backend's maxOutputTokens, else the route's reserveOutputTokens), priced
 * with that backend's prices. Over-reserving only refuses sooner; the real
 * usage replaces the estimate once known.
 */
export function estimateUsage(
  op: Operation,
  route: CompiledRoute,
  body: ProxiedBody,
  promptTokens: (b: CompiledBackend) => number,
): UsageEstimate {
  const requested = requestedOutputTokens(body);
  const n = choices(body);
  let tokens = 0;
  let cost = 0;
  for (const b of route.backends) {
    const prompt = promptTokens(b);
    const output = op.name === 'embeddings' ? 0 : n * (requested || b.maxOutputTokens || route.reserveOutputTokens);
    tokens = Math.max(tokens, prompt + output);
    cost = Math.max(cost, prompt * b.inputPricePerToken + output * b.outputPricePerToken);
  }
  return { tokens, cost };
}
