import { bucketStart, bucketStarts, fieldName, resolutionFor, type FieldKind, type Metric, type Resolution } from './buckets.js';
import type { BucketDelta, SavingsStore } from './store.js';

/** Unflushed minutes kept when the store is down; older ones are dropped (and the loss logged). */
const MAX_PENDING_MINUTES = 60;

export interface LedgerOptions {
  flushMs?: number;
  now?: () => number;
  /** A flush failed (the store is down): counts are kept and retried, up to an hour of them. */
  onError?: (err: Error) => void;
}

/** What a window of savings figures holds: per bucket start, field name -> total. */
export interface LedgerRead {
  resolution: Resolution;
  from: number;
  to: number;
  buckets: Map<number, Map<string, number>>;
}

/**
 * Counts savings figures on the hot path in memory (a map update, no I/O)
 * and adds them to the store once a second, as minute and hour buckets. A
 * read flushes this process's counts first; other replicas' last second
 * may not be in yet.
 */
export class SavingsLedger {
  #pending = new Map<number, Map<string, number>>();
  #flushing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(
    readonly store: SavingsStore,
    private readonly opts: LedgerOptions = {},
  ) {
    this.#now = opts.now ?? Date.now;
    this.#timer = setInterval(() => void this.flush(), opts.flushMs ?? 1000);
    this.#timer.unref();
  }

  count(kind: FieldKind, route: string, tenant: string, name: string, metric: Metric, value: number): void {
    if (!value) return;
    const minute = bucketStart('minute', this.#now());
    let fields = this.#pending.get(minute);
    if (!fields) this.#pending.set(minute, (fields = new Map<string, number>()));
    const field = fieldName(kind, route, tenant, name, metric);
    fields.set(field, (fields.get(field) ?? 0) + value);
  }

  /** Adds the pending counts to the store; on failure they stay pending. One flush at a time. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (!this.#pending.size) return;
    const pending = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.store.add(deltasOf(pending)).then(
      () => undefined,
      (err: unknown) => {
        this.#restore(pending);
        this.opts.onError?.(err as Error);
      },
    );
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Every bucket overlapping [from, to), at the resolution that window is read at. */
  async read(from: number, to: number): Promise<LedgerRead> {
    await this.flush();
    const resolution = resolutionFor(from, to, this.#now());
    const buckets = await this.store.read(resolution, bucketStarts(resolution, from, to));
    return { resolution, from, to, buckets };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.store.close();
  }

  #restore(failed: Map<number, Map<string, number>>): void {
    for (const [minute, fields] of failed) {
      const now = this.#pending.get(minute) ?? new Map<string, number>();
      for (const [f, n] of fields) now.set(f, (now.get(f) ?? 0) + n);
      this.#pending.set(minute, now);
    }
    const minutes = [...this.#pending.keys()].sort((a, b) => a - b);
    for (const old of minutes.slice(0, Math.max(0, minutes.length - MAX_PENDING_MINUTES))) this.#pending.delete(old);
  }
}

/** Pending minutes as minute buckets and, added up, hour buckets. */
function deltasOf(pending: Map<number, Map<string, number>>): BucketDelta[] {
  const deltas: BucketDelta[] = [];
  const hours = new Map<number, Map<string, number>>();
  for (const [minute, fields] of pending) {
    deltas.push({ resolution: 'minute', start: minute, fields });
    const hour = bucketStart('hour', minute);
    const sum = hours.get(hour) ?? new Map<string, number>();
    for (const [f, n] of fields) sum.set(f, (sum.get(f) ?? 0) + n);
    hours.set(hour, sum);
  }
  for (const [start, fields] of hours) deltas.push({ resolution: 'hour', start, fields });
  return deltas;
}
