/** One counter of an admission check: `amount` more must fit under `limit` in the current window. */
export interface Counter {
  /** Stable name, e.g. `tenant:team-a:tpm`. The window start is appended by the store. */
  key: string;
  limit: number;
  amount: number;
  window: Window;
}

/** A fixed window: [start, end) in epoch milliseconds. */
export interface Window {
  start: number;
  end: number;
}

export type ConsumeResult =
  | { allowed: true }
  /** `index` is the counter that did not fit; `current` its value before this request. */
  | { allowed: false; index: number; current: number };

/**
 * Shared counting for rate limits and budgets. All counters of one call
 * are checked and taken together (all or nothing), atomically with respect
 * to every other gateway process using the same store. Implementations:
 * MemoryLimitStore (one process) and RedisLimitStore (several replicas);
 * both pass test/integration/limit-store.test.ts.
 */
export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  consume(counters: readonly Counter[]): Promise<ConsumeResult>;
  /** Adds `delta` (may be negative) to a counter's current window, e.g. actual minus estimated tokens. */
  adjust(key: string, window: Window, delta: number): Promise<void>;
  /** Current value, for headers and tests. */
  peek(key: string, window: Window): Promise<number>;
  close(): Promise<void>;
}

export const windowKey = (key: string, w: Window) => `${key}@${w.start}`;
