import { MemoryLearningStore, RedisLearningStore, type LearningStore } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/harness.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

let n = 0;
const makers: [string, () => Promise<LearningStore>][] = [
  ['memory', () => Promise.resolve(new MemoryLearningStore())],
  [
    'redis',
    async () => {
      const s = new RedisLearningStore(redis.url, { prefix: `l${++n}:` });
      await s.ready();
      return s;
    },
  ],
];

const record = (requestId: string, owner = 'team-a/ci') => ({
  requestId,
  owner,
  backend: 'a',
  context: '',
  latencyMs: 10,
  cost: 0.001,
  routeId: 'ns/r',
  reward: 0.5,
});

describe.each(makers)('%s learning store', (_name, make) => {
  it('counts rewards per arm, corrects them, and remembers answers for feedback', async () => {
    const store = await make();
    store.state('r|', 2);
    store.addReward('r|', 0, 0.5);
    store.addReward('r|', 0, 1);
    store.addReward('r|', 1, 0.25);
    store.correctReward('r|', 0, 0.5, 0);
    const s = store.state('r|', 2);
    expect(s.arms[0]).toEqual({ n: 2, sum: 1, sumSq: 1 });
    expect(s.arms[1]).toEqual({ n: 1, sum: 0.25, sumSq: 0.0625 });
    store.remember(record('req-1'));
    // Another caller's key finds nothing, whatever id it sends.
    expect(await store.take('team-b/ci', 'req-1')).toBeUndefined();
    expect(await store.take('team-a/ci', 'req-1')).toMatchObject({ backend: 'a', reward: 0.5 });
    // Taken once: a replay finds nothing.
    expect(await store.take('team-a/ci', 'req-1')).toBeUndefined();
    expect(await store.take('team-a/ci', 'req-2')).toBeUndefined();
    await store.close();
  });
});

describe('redis learning store', () => {
  it('replicas learn together and a restarted gateway keeps what was learned', async () => {
    const prefix = `shared${++n}:`;
    const one = new RedisLearningStore(redis.url, { prefix, refreshMs: 50 });
    const two = new RedisLearningStore(redis.url, { prefix, refreshMs: 50 });
    await Promise.all([one.ready(), two.ready()]);
    one.state('route|', 3);
    two.state('route|', 3);
    one.addReward('route|', 2, 1);
    two.addReward('route|', 2, 0.5);
    one.setProbs('route|', [0.2, 0.2, 0.6]);
    one.remember(record('req-9'));
    await eventually(() => one.state('route|', 3).arms[2]?.n === 2 && two.state('route|', 3).arms[2]?.n === 2);
    // feedback may reach another replica than the one that answered
    expect(await two.take('team-a/ci', 'req-9')).toMatchObject({ routeId: 'ns/r' });
    expect(await one.take('team-a/ci', 'req-9')).toBeUndefined();
    await Promise.all([one.close(), two.close()]);

    const restarted = new RedisLearningStore(redis.url, { prefix, refreshMs: 50 });
    await restarted.ready();
    restarted.state('route|', 3);
    await eventually(() => restarted.state('route|', 3).arms[2]?.n === 2);
    expect(restarted.state('route|', 3).arms[2]?.sum).toBeCloseTo(1.5);
    expect(restarted.state('route|', 3).probs).toEqual([0.2, 0.2, 0.6]);
    await restarted.close();
  });
});

describe('memory learning store ledger', () => {
  it('forgets answers after an hour', async () => {
    let now = 1_000_000;
    const store = new MemoryLearningStore(() => now);
    store.remember(record('old'));
    now += 3600_000 + 1;
    expect(await store.take('team-a/ci', 'old')).toBeUndefined();
    store.remember(record('fresh'));
    now += 3599_000;
    expect(await store.take('team-a/ci', 'fresh')).toMatchObject({ requestId: 'fresh' });
  });
});
