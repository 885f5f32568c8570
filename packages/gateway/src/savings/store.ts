import type { Resolution } from './buckets.js';

/** Increments to the figures of one bucket. */
export interface BucketDelta {
  resolution: Resolution;
  start: number;
  fields: ReadonlyMap<string, number>;
}

/**
 * Where savings figures are counted: integer counters per time bucket
 * (tokens, calls, spend in nano-units of currency). MemorySavingsStore is
 * one process; RedisSavingsStore is shared by every replica and survives
 * restarts. Both pass test/integration/savings-store.test.ts.
 */
export interface SavingsStore {
  readonly kind: 'memory' | 'redis';
  /** Adds every delta to its bucket; a bucket is kept for its resolution's retention after its start. */
  add(deltas: readonly BucketDelta[]): Promise<void>;
  /** The figures of the buckets of `resolution` starting at `starts` (missing buckets are absent). */
  read(resolution: Resolution, starts: readonly number[]): Promise<Map<number, Map<string, number>>>;
  close(): Promise<void>;
}
