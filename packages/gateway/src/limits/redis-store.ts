import type { Redis } from 'ioredis';
import { failFastRedis, redisReady } from '../redis-client.js';
import { windowKey, type ConsumeResult, type Counter, type LimitStore, type Window } from './store.js';

// Check every counter, then take them all: one script, so it is atomic
// against every gateway process sharing this Redis. Values are integers
// (budgets are counted in nano-units of currency by the caller).
const CONSUME = `
for i = 1, #KEYS do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current + tonumber(ARGV[3 * i - 1]) > tonumber(ARGV[3 * i - 2]) then
    return {i, current}
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[3 * i - 1])
  redis.call('PEXPIREAT', KEYS[i], ARGV[3 * i])
end
return {0, 0}
`;

// Reconcile only a window that exists (it may have rolled over meanwhile).
const ADJUST = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[1]) end
return 0
`;

type Commands = Redis & {
  switchboardConsume(...args: (string | number)[]): Promise<[number, number]>;
  switchboardAdjust(key: string, delta: number): Promise<number>;
};

/**
 * Counters in Redis, shared by every replica and worker; the client fails
 * fast when Redis is unreachable (redis-client.ts).
 */
export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis';
  readonly #redis: Commands;

  constructor(url: string, opts: { commandTimeoutMs?: number; prefix?: string } = {}) {
    this.#redis = failFastRedis(url, {
      prefix: opts.prefix ?? 'switchboard:limits:',
      commandTimeoutMs: opts.commandTimeoutMs,
    }) as Commands;
    this.#redis.defineCommand('switchboardConsume', { lua: CONSUME });
    this.#redis.defineCommand('switchboardAdjust', { numberOfKeys: 1, lua: ADJUST });
  }

  /** Resolves once connected (start-up checks and tests). */
  ready(timeoutMs = 5000): Promise<void> {
    return redisReady(this.#redis, timeoutMs);
  }

  async consume(counters: readonly Counter[]): Promise<ConsumeResult> {
    const args: (string | number)[] = [counters.length];
    for (const c of counters) args.push(windowKey(c.key, c.window));
    for (const c of counters) args.push(Math.floor(c.limit), Math.ceil(c.amount), c.window.end);
    const [index, current] = await this.#redis.switchboardConsume(...args);
    return index === 0 ? { allowed: true } : { allowed: false, index: index - 1, current };
  }

  async adjust(key: string, window: Window, delta: number): Promise<void> {
    const d = Math.round(delta);
    if (d !== 0) await this.#redis.switchboardAdjust(windowKey(key, window), d);
  }

  async peek(key: string, window: Window): Promise<number> {
    return Number((await this.#redis.get(windowKey(key, window))) ?? 0);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
