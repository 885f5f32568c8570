/**
 * A token bucket that caps retries: every request deposits `ratio` tokens,
 * time deposits `minRetriesPerSecond` per second, a retry takes one. During
 * an outage retries therefore add at most `ratio` of the traffic (plus the
 * floor) instead of multiplying it by maxAttempts.
 */
export class RetryBudget {
  #tokens: number;
  #last: number;
  #ratio: number;
  #perSecond: number;
  #cap: number;

  constructor(
    config: { ratio: number; minRetriesPerSecond: number },
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#ratio = config.ratio;
    this.#perSecond = config.minRetriesPerSecond;
    // At most one second of the floor plus the deposits of 100 requests.
    this.#cap = Math.max(1, config.minRetriesPerSecond + config.ratio * 100);
    this.#tokens = this.#cap;
    this.#last = this.now();
  }

  /** Takes new settings from a reloaded route, keeping the current balance. */
  configure(config: { ratio: number; minRetriesPerSecond: number }): void {
    this.#ratio = config.ratio;
    this.#perSecond = config.minRetriesPerSecond;
    this.#cap = Math.max(1, config.minRetriesPerSecond + config.ratio * 100);
    this.#tokens = Math.min(this.#tokens, this.#cap);
  }

  onRequest(): void {
    this.#refill();
    this.#tokens = Math.min(this.#cap, this.#tokens + this.#ratio);
  }

  /** True (and one token spent) when a retry is allowed now. */
  tryRetry(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.#cap, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
  }
}
