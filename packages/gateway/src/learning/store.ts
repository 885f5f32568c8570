import type { Redis } from 'ioredis';
import { failFastRedis, redisReady } from '../redis-client.js';
import type { CallOutcome } from '../table/strategy.js';
import { emptyState, type BanditState } from './state.js';

/** What /v1/feedback needs to find an answered request again. */
export interface FeedbackRecord extends CallOutcome {
  routeId: string;
  /** The reward already counted for this answer (with the default quality). */
  reward: number;
  /** Who made the request (`tenant/key`, '' without auth): only they may score it. */
  owner: string;
}

/** A feedback record's key: only its owner finds it, whatever request id anyone else sends. */
const ledgerKey = (owner: string, requestId: string) => `${owner}/${requestId}`;

/**
 * Where online learners keep their statistics and the feedback ledger.
 * Reads are synchronous from a local copy (the hot path never waits on the
 * network); writes go to the store at once. MemoryLearningStore is one
 * process; RedisLearningStore is shared by every replica and survives
 * restarts, with each replica's copy refreshed every `refreshMs`.
 */
export interface LearningStore {
  readonly kind: 'memory' | 'redis';
  state(key: string, arms: number): BanditState;
  addReward(key: string, arm: number, reward: number): void;
  /** Replaces one reward already counted (feedback corrects the default quality). */
  correctReward(key: string, arm: number, before: number, after: number): void;
  setProbs(key: string, probs: readonly number[]): void;
  /** Keeps an answered request for feedback, for an hour. */
  remember(record: FeedbackRecord): void;
  /** The owner's record of a request, removed so that it counts once; undefined when unknown or expired. */
  take(owner: string, requestId: string): Promise<FeedbackRecord | undefined>;
  close(): Promise<void>;
}

const LEDGER_LIMIT = 100_000;
const LEDGER_TTL_S = 3600;

export class MemoryLearningStore implements LearningStore {
  readonly kind: 'memory' | 'redis' = 'memory';
  protected readonly states = new Map<string, BanditState>();
  readonly #ledger = new Map<string, { record: FeedbackRecord; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  state(key: string, arms: number): BanditState {
    let s = this.states.get(key);
    if (!s || s.arms.length !== arms) {
      s = emptyState(arms);
      this.states.set(key, s);
    }
    return s;
  }

  addReward(key: string, arm: number, reward: number): void {
    const a = this.states.get(key)?.arms[arm];
    if (!a) return;
    a.n += 1;
    a.sum += reward;
    a.sumSq += reward * reward;
  }

  correctReward(key: string, arm: number, before: number, after: number): void {
    const a = this.states.get(key)?.arms[arm];
    if (!a) return;
    a.sum += after - before;
    a.sumSq += after * after - before * before;
  }

  setProbs(key: string, probs: readonly number[]): void {
    const s = this.states.get(key);
    if (s) s.probs = [...probs];
  }

  remember(record: FeedbackRecord): void {
    const now = this.now();
    // Oldest first: a Map iterates in insertion order, so expired records are at the front.
    for (const [key, entry] of this.#ledger) {
      if (entry.expiresAt > now && this.#ledger.size < LEDGER_LIMIT) break;
      this.#ledger.delete(key);
    }
    const key = ledgerKey(record.owner, record.requestId);
    this.#ledger.delete(key); // a reused id goes to the back, with a new lifetime
    this.#ledger.set(key, { record, expiresAt: now + LEDGER_TTL_S * 1000 });
  }

  take(owner: string, requestId: string): Promise<FeedbackRecord | undefined> {
    const key = ledgerKey(owner, requestId);
    const entry = this.#ledger.get(key);
    this.#ledger.delete(key);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry.record : undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Bandit statistics in Redis hashes (`n:<arm>`, `sum:<arm>`, `sq:<arm>`,
 * `p:<arm>`), updated with HINCRBYFLOAT so replicas never overwrite each
 * other's counts; the feedback ledger as keys with a one-hour TTL.
 */
export class RedisLearningStore extends MemoryLearningStore {
  override readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #timer: NodeJS.Timeout;
  readonly #keys = new Map<string, number>();

  constructor(url: string, opts: { refreshMs?: number; prefix?: string } = {}) {
    super();
    this.#redis = failFastRedis(url, { prefix: opts.prefix ?? 'switchboard:learning:' });
    this.#timer = setInterval(() => void this.refresh(), opts.refreshMs ?? 500);
    this.#timer.unref();
  }

  ready(timeoutMs = 5000): Promise<void> {
    return redisReady(this.#redis, timeoutMs);
  }

  override state(key: string, arms: number): BanditState {
    if (!this.#keys.has(key)) {
      this.#keys.set(key, arms);
      void this.refresh();
    }
    return super.state(key, arms);
  }

  override addReward(key: string, arm: number, reward: number): void {
    super.addReward(key, arm, reward);
    void this.#redis
      .multi()
      .hincrbyfloat(`bandit:${key}`, `n:${arm}`, 1)
      .hincrbyfloat(`bandit:${key}`, `sum:${arm}`, reward)
      .hincrbyfloat(`bandit:${key}`, `sq:${arm}`, reward * reward)
      .exec()
      .catch(() => undefined);
  }

  override correctReward(key: string, arm: number, before: number, after: number): void {
    super.correctReward(key, arm, before, after);
    void this.#redis
      .multi()
      .hincrbyfloat(`bandit:${key}`, `sum:${arm}`, after - before)
      .hincrbyfloat(`bandit:${key}`, `sq:${arm}`, after * after - before * before)
      .exec()
      .catch(() => undefined);
  }

  override setProbs(key: string, probs: readonly number[]): void {
    super.setProbs(key, probs);
    const fields: Record<string, string> = {};
    probs.forEach((p, i) => (fields[`p:${i}`] = String(p)));
    void this.#redis.hset(`bandit:${key}`, fields).catch(() => undefined);
  }

  // The ledger lives in Redis only: any replica may receive the feedback, and GETDEL makes it count once.
  override remember(record: FeedbackRecord): void {
    const key = `ledger:${ledgerKey(record.owner, record.requestId)}`;
    void this.#redis.set(key, JSON.stringify(record), 'EX', LEDGER_TTL_S).catch(() => undefined);
  }

  override async take(owner: string, requestId: string): Promise<FeedbackRecord | undefined> {
    const text = await this.#redis.getdel(`ledger:${ledgerKey(owner, requestId)}`);
    return text ? (JSON.parse(text) as FeedbackRecord) : undefined;
  }

  /** Reloads every known learner's statistics from Redis (what all replicas have learned). */
  async refresh(): Promise<void> {
    for (const [key, arms] of this.#keys) {
      const hash = await this.#redis.hgetall(`bandit:${key}`).catch(() => undefined);
      if (!hash || !Object.keys(hash).length) continue;
      const s = super.state(key, arms);
      s.arms.forEach((a, i) => {
        a.n = Number(hash[`n:${i}`] ?? 0);
        a.sum = Number(hash[`sum:${i}`] ?? 0);
        a.sumSq = Number(hash[`sq:${i}`] ?? 0);
      });
      if (hash['p:0'] !== undefined) s.probs = s.probs.map((p, i) => Number(hash[`p:${i}`] ?? p));
    }
  }

  override async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis.quit().catch(() => undefined);
  }
}
