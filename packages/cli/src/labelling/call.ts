import { costOf, usageFromOpenAI, type CompiledBackend } from '@switchboard/gateway';
import type { Call, ChatMessage } from './labeller.js';
import { Limiter, withRetries, type RetryOptions } from './pool.js';

/** One non-streaming chat call through the backend's transport (the gateway's `factories.ask`). */
export type Ask = (backend: CompiledBackend, body: Record<string, unknown>, timeoutMs: number) => Promise<unknown>;

/** What every call of a run spends, answers of prompts that later failed included (the money is gone). */
export class Spend {
  total = 0;
}

const textOf = (json: unknown): string => {
  const choice = (json as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string') throw new Error('the answer has no message content');
  return content;
};

export interface CallOptions {
  concurrency: number;
  timeoutMs: number;
  retry: RetryOptions;
  now?: () => number;
}

/**
 * Calls as labelling makes them: at most `concurrency` at once, each tried
 * again on failure (a transport error, a 5xx, an answer `read` rejects),
 * its cost from the usage the backend reports at the route's prices.
 */
export function makeCall(ask: Ask, spend: Spend, opts: CallOptions): Call {
  const limiter = new Limiter(opts.concurrency);
  const now = opts.now ?? (() => performance.now());
  return <T>(backend: CompiledBackend, messages: ChatMessage[], maxTokens: number, read: (text: string) => T) =>
    withRetries(
      () =>
        limiter.run(async () => {
          const started = now();
          const json = await ask(backend, { messages, max_tokens: maxTokens, temperature: 0 }, opts.timeoutMs);
          const latencyMs = now() - started;
          const text = textOf(json);
          // A backend that reports no usage is counted with its tokenizer, so the budget still holds.
          const usage = usageFromOpenAI(json) ?? {
            promptTokens: backend.tokenizer.countChat(messages),
            completionTokens: backend.tokenizer.count(text),
          };
          const cost = costOf(usage, backend);
          spend.total += cost;
          return { answer: { text, outputTokens: usage.completionTokens, latencyMs, cost }, value: read(text) };
        }),
      opts.retry,
    );
}
