import { RETENTION_MS, type Resolution } from './buckets.js';
import type { BucketDelta, SavingsStore } from './store.js';

interface Bucket {
  expiresAt: number;
  fields: Map<string, number>;
}

/** Savings in this process's memory: lost on restart, each replica counts alone. */
export class MemorySavingsStore implements SavingsStore {
  readonly kind = 'memory';
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  add(deltas: readonly BucketDelta[]): Promise<void> {
    const now = this.now();
    for (const [key, b] of this.#buckets) if (b.expiresAt <= now) this.#buckets.delete(key);
    for (const d of deltas) {
      const expiresAt = d.start + RETENTION_MS[d.resolution];
      if (expiresAt <= now) continue;
      const key = `${d.resolution}:${d.start}`;
      let bucket = this.#buckets.get(key);
      if (!bucket) this.#buckets.set(key, (bucket = { expiresAt, fields: new Map() }));
      for (const [field, n] of d.fields) bucket.fields.set(field, (bucket.fields.get(field) ?? 0) + n);
    }
    return Promise.resolve();
  }

  read(resolution: Resolution, starts: readonly number[]): Promise<Map<number, Map<string, number>>> {
    const now = this.now();
    const out = new Map<number, Map<string, number>>();
    for (const start of starts) {
      const bucket = this.#buckets.get(`${resolution}:${start}`);
      if (bucket && bucket.expiresAt > now) out.set(start, new Map(bucket.fields));
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
