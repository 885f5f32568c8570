import type { CompiledBackend } from '../table/backend.js';

/**
 * Token counts of one answer. `promptTokens` is every input token, cached
 * ones included; `cachedTokens` (read from a prompt cache) and
 * `cacheWriteTokens` (written to one, Anthropic) are parts of it, priced
 * apart; `reasoningTokens` are part of `completionTokens`.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/**
 * The most tokens one reported count is taken as (2^31 - 1): a backend is
 * untrusted, and `prompt_tokens: 1e200` made a learner's squared rewards
 * Infinity (then NaN), which pinned Thompson sampling to one backend.
 */
const MAX_REPORTED_TOKENS = 2 ** 31 - 1;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_REPORTED_TOKENS) : undefined;

/**
 * `usage` of an OpenAI chat / completions answer or final stream chunk,
 * with `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`
 * and the gateway's `prompt_tokens_details.cache_write_tokens` (from Anthropic).
 */
export function usageFromOpenAI(value: unknown): Usage | undefined {
  const usage = (value as { usage?: Record<string, unknown> | null } | null)?.usage;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = num(usage.prompt_tokens);
  if (prompt === undefined) return undefined;
  const details = (usage.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const out = (usage.completion_tokens_details ?? {}) as Record<string, unknown>;
  return withParts(
    { promptTokens: prompt, completionTokens: num(usage.completion_tokens) ?? 0 },
    details.cached_tokens,
    details.cache_write_tokens,
    out.reasoning_tokens,
  );
}

/** Adds the optional parts that are present (and sane). */
export function withParts(usage: Usage, cached: unknown, cacheWrite: unknown, reasoning: unknown): Usage {
  const c = num(cached);
  const w = num(cacheWrite);
  const r = num(reasoning);
  if (c) usage.cachedTokens = Math.min(c, usage.promptTokens);
  if (w) usage.cacheWriteTokens = Math.min(w, usage.promptTokens - (usage.cachedTokens ?? 0));
  if (r) usage.reasoningTokens = Math.min(r, usage.completionTokens);
  return usage;
}

/** What an answer cost at `backend`'s prices: cached and cache-write input tokens priced apart. */
export function costOf(usage: Usage, backend: CompiledBackend): number {
  const cached = usage.cachedTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  return (
    (usage.promptTokens - cached - written) * backend.inputPricePerToken +
    cached * backend.cachedInputPricePerToken +
    written * backend.cacheWritePricePerToken +
    usage.completionTokens * backend.outputPricePerToken
  );
}

/** Usage in OpenAI's chat shape, with its details when there are any (for answers whose backend reported none). */
export function toOpenAIUsage(usage: Usage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens || usage.cacheWriteTokens) {
    out.prompt_tokens_details = {
      cached_tokens: usage.cachedTokens ?? 0,
      ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
    };
  }
  if (usage.reasoningTokens) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}

/** The sum of two usages, parts included. */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
  const cached = (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0);
  const written = (a.cacheWriteTokens ?? 0) + (b.cacheWriteTokens ?? 0);
  const reasoning = (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0);
  if (cached) out.cachedTokens = cached;
  if (written) out.cacheWriteTokens = written;
  if (reasoning) out.reasoningTokens = reasoning;
  return out;
}
