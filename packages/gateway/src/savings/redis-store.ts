import type { Redis } from 'ioredis';
import { failFastRedis, redisReady } from '../redis-client.js';
import { RETENTION_MS, type Resolution } from './buckets.js';
import type { BucketDelta, SavingsStore } from './store.js';

const keyOf = (resolution: Resolution, start: number) => `${resolution}:${start}`;

/**
 * Savings in Redis: one hash per bucket, figures added with HINCRBY (so
 * replicas never overwrite each other's counts), each bucket expiring at
 * the end of its retention. Shared by every replica; survives restarts.
 */
export class RedisSavingsStore implements SavingsStore {
  readonly kind = 'redis';
  readonly #redis: Redis;

  constructor(url: string, opts: { prefix?: string; commandTimeoutMs?: number } = {}) {
    this.#redis = failFastRedis(url, {
      prefix: opts.prefix ?? 'switchboard:savings:',
      commandTimeoutMs: opts.commandTimeoutMs ?? 2000,
    });
  }

  ready(timeoutMs = 5000): Promise<void> {
    return redisReady(this.#redis, timeoutMs);
  }

  async add(deltas: readonly BucketDelta[]): Promise<void> {
    if (!deltas.length) return;
    const multi = this.#redis.multi();
    for (const d of deltas) {
      const key = keyOf(d.resolution, d.start);
      for (const [field, n] of d.fields) multi.hincrby(key, field, Math.round(n));
      multi.pexpireat(key, d.start + RETENTION_MS[d.resolution]);
    }
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis refused the savings transaction');
  }

  async read(resolution: Resolution, starts: readonly number[]): Promise<Map<number, Map<string, number>>> {
    const pipeline = this.#redis.pipeline();
    for (const s of starts) pipeline.hgetall(keyOf(resolution, s));
    const results = (await pipeline.exec()) ?? [];
    const out = new Map<number, Map<string, number>>();
    results.forEach(([err, hash], i) => {
      if (err) throw err;
      const entries = Object.entries(hash as Record<string, string>);
      if (entries.length) out.set(starts[i] as number, new Map(entries.map(([f, v]) => [f, Number(v)])));
    });
    return out;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
