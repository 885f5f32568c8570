import { windowKey, type ConsumeResult, type Counter, type LimitStore, type Window } from './store.js';

/**
 * Counters in this process's memory: exact and fast, but each gateway
 * process counts alone, so it is for one replica with one worker. Expired
 * windows are swept periodically.
 */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory';
  readonly #values = new Map<string, { value: number; expiresAt: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.#sweeper = setInterval(() => this.#sweep(), 10_000);
    this.#sweeper.unref();
  }

  consume(counters: readonly Counter[]): Promise<ConsumeResult> {
    const now = this.now();
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i] as Counter;
      const current = this.#get(windowKey(c.key, c.window), now);
      if (current + c.amount > c.limit) return Promise.resolve({ allowed: false, index: i, current });
    }
    for (const c of counters) this.#add(windowKey(c.key, c.window), c.window, c.amount, now);
    return Promise.resolve({ allowed: true });
  }

  adjust(key: string, window: Window, delta: number): Promise<void> {
    const k = windowKey(key, window);
    if (this.#values.has(k)) this.#add(k, window, delta, this.now());
    return Promise.resolve();
  }

  peek(key: string, window: Window): Promise<number> {
    return Promise.resolve(this.#get(windowKey(key, window), this.now()));
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    return Promise.resolve();
  }

  #get(k: string, now: number): number {
    const entry = this.#values.get(k);
    return entry && entry.expiresAt > now ? entry.value : 0;
  }

  #add(k: string, window: Window, amount: number, now: number): void {
    const value = this.#get(k, now) + amount;
    this.#values.set(k, { value, expiresAt: window.end });
  }

  #sweep(): void {
    const now = this.now();
    for (const [k, v] of this.#values) if (v.expiresAt <= now) this.#values.delete(k);
  }
}
