import { MemoryLimitStore, RedisLimitStore, type LimitStore } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

let n = 0;
const makers: [string, () => Promise<LimitStore>][] = [
  ['memory', () => Promise.resolve(new MemoryLimitStore())],
  [
    'redis',
    async () => {
      const s = new RedisLimitStore(redis.url, { prefix: `t${++n}:` });
      await s.ready();
      return s;
    },
  ],
];

const window = (start = 1_000_000) => ({ start, end: Date.now() + 60_000 });

// One suite, every implementation (DESIGN.md example 3).
describe.each(makers)('%s limit store', (_name, make) => {
  it('admits up to the limit and refuses past it, saying which counter', async () => {
    const store = await make();
    const w = window();
    for (let i = 0; i < 3; i++)
      expect(await store.consume([{ key: 'rpm', limit: 3, amount: 1, window: w }])).toEqual({ allowed: true });
    expect(await store.consume([{ key: 'rpm', limit: 3, amount: 1, window: w }])).toEqual({
      allowed: false,
      index: 0,
      current: 3,
    });
    expect(await store.peek('rpm', w)).toBe(3);
    await store.close();
  });

  it('takes all counters or none', async () => {
    const store = await make();
    const w = window();
    const check = (tokens: number) => [
      { key: 'req', limit: 10, amount: 1, window: w },
      { key: 'tok', limit: 100, amount: tokens, window: w },
    ];
    expect(await store.consume(check(90))).toEqual({ allowed: true });
    expect(await store.consume(check(20))).toEqual({ allowed: false, index: 1, current: 90 });
    expect(await store.peek('req', w)).toBe(1); // the refused request took nothing
    await store.close();
  });

  it('counts windows apart', async () => {
    const store = await make();
    await store.consume([{ key: 'k', limit: 1, amount: 1, window: window(1) }]);
    expect(await store.consume([{ key: 'k', limit: 1, amount: 1, window: window(2) }])).toEqual({ allowed: true });
    await store.close();
  });

  it('reconciles estimates with actual usage, up or down', async () => {
    const store = await make();
    const w = window();
    await store.consume([{ key: 'tok', limit: 1000, amount: 500, window: w }]);
    await store.adjust('tok', w, -300);
    expect(await store.peek('tok', w)).toBe(200);
    await store.adjust('tok', w, 50);
    expect(await store.peek('tok', w)).toBe(250);
    await store.adjust('never-consumed', w, 10);
    expect(await store.peek('never-consumed', w)).toBe(0);
    await store.close();
  });

  it('stays exact under concurrent consumers', async () => {
    const a = await make();
    const b = a.kind === 'redis' ? new RedisLimitStore(redis.url, { prefix: `t${n}:` }) : a;
    if (b instanceof RedisLimitStore) await b.ready();
    const w = window();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).consume([{ key: 'c', limit: 50, amount: 1, window: w }])),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    await a.close();
    if (b !== a) await b.close();
  });
});

describe('redis limit store when Redis goes away', () => {
  it('fails fast while Redis is down and works again when it is back', async () => {
    const store = new RedisLimitStore(redis.url, { prefix: 'down:' });
    await store.ready();
    await redis.stop();
    await expect(store.consume([{ key: 'x', limit: 1, amount: 1, window: window() }])).rejects.toThrow();
    await redis.start();
    await store.ready(10_000);
    expect(await store.consume([{ key: 'x', limit: 1, amount: 1, window: window() }])).toEqual({ allowed: true });
    await store.close();
  });
});
