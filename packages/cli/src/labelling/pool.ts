import { setTimeout as delay } from 'node:timers/promises';

/** At most `n` tasks at once; the others wait their turn in order. */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly n: number) {
    if (!(n >= 1)) throw new Error('a limiter needs at least one slot');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.n) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

export interface RetryOptions {
  /** Attempts after the first. */
  retries: number;
  /** Waits before retry `attempt` (1, 2, ...); injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<unknown>;
  /** First back-off; doubled each retry. */
  baseDelayMs?: number;
  /** Called before each retry with the error that caused it. */
  onRetry?: (err: Error, attempt: number) => void;
}

/** `task`, tried again with exponential back-off on any error, up to `retries` more times. */
export async function withRetries<T>(task: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? delay;
  const base = opts.baseDelayMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (attempt >= opts.retries) throw err;
      opts.onRetry?.(err as Error, attempt + 1);
      await sleep(base * 2 ** attempt);
    }
  }
}
