/** Frees a slot taken from a ConcurrencyLimit. Safe to call more than once. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release | null) => void;
  timer: NodeJS.Timeout;
}

const NOOP: Release = () => undefined;

/**
 * At most `max` requests in flight to a backend, and at most `maxQueue`
 * waiting for a slot: past that, callers are turned away at once instead of
 * piling up in memory.
 */
export class ConcurrencyLimit {
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(
    private max: number | undefined,
    private maxQueue: number,
  ) {}

  configure(max: number | undefined, maxQueue: number): void {
    this.max = max;
    this.maxQueue = maxQueue;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** A slot now, or null when all are taken. */
  tryAcquire(): Release | null {
    if (this.max === undefined) return NOOP;
    if (this.#active >= this.max) return null;
    this.#active++;
    return this.#releaser();
  }

  /** True when a caller could still wait for a slot. */
  canQueue(): boolean {
    return this.max !== undefined && this.#queue.length < this.maxQueue;
  }

  /** Waits up to `waitMs` for a slot; null when the queue is full or the wait times out. */
  acquire(waitMs: number): Promise<Release | null> {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (!this.canQueue()) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const i = this.#queue.indexOf(waiter);
          if (i >= 0) this.#queue.splice(i, 1);
          resolve(null);
        }, waitMs),
      };
      this.#queue.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.#releaser());
      } else {
        this.#active--;
      }
    };
  }
}
