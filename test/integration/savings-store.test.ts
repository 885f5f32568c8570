import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayProcess, startMockBackend, type GatewayProcess, type MockBackend } from '@switchboard/cli';
import { MemorySavingsStore, RedisSavingsStore, SavingsLedger, type SavingsStore } from '@switchboard/gateway';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, routeYaml } from '../helpers/harness.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

let n = 0;
const makers: [string, () => Promise<SavingsStore>][] = [
  ['memory', () => Promise.resolve(new MemorySavingsStore())],
  [
    'redis',
    async () => {
      const s = new RedisSavingsStore(redis.url, { prefix: `s${++n}:` });
      await s.ready();
      return s;
    },
  ],
];

const minute = Math.floor(Date.now() / 60_000) * 60_000;
const fields = (entries: [string, number][]) => new Map(entries);

// One suite, every implementation (DESIGN.md example 3).
describe.each(makers)('%s savings store', (_name, make) => {
  it('adds figures field by field, bucket by bucket', async () => {
    const store = await make();
    await store.add([
      {
        resolution: 'minute',
        start: minute,
        fields: fields([
          ['x', 2],
          ['y', 5],
        ]),
      },
    ]);
    await store.add([
      { resolution: 'minute', start: minute, fields: fields([['x', 3]]) },
      { resolution: 'minute', start: minute - 60_000, fields: fields([['x', 7]]) },
      { resolution: 'hour', start: minute - (minute % 3_600_000), fields: fields([['x', 12]]) },
    ]);
    const read = await store.read('minute', [minute - 60_000, minute, minute + 60_000]);
    expect(read.get(minute)).toEqual(
      fields([
        ['x', 5],
        ['y', 5],
      ]),
    );
    expect(read.get(minute - 60_000)).toEqual(fields([['x', 7]]));
    expect(read.has(minute + 60_000)).toBe(false);
    expect((await store.read('hour', [minute - (minute % 3_600_000)])).get(minute - (minute % 3_600_000))).toEqual(
      fields([['x', 12]]),
    );
    await store.close();
  });

  it('keeps a bucket for its retention only (minutes two days)', async () => {
    const store = await make();
    const old = minute - 3 * 86_400_000;
    await store.add([{ resolution: 'minute', start: old, fields: fields([['x', 1]]) }]);
    expect((await store.read('minute', [old])).size).toBe(0);
    await store.close();
  });

  it('stays exact when two writers add at once', async () => {
    const a = await make();
    const b = a.kind === 'redis' ? new RedisSavingsStore(redis.url, { prefix: `s${n}:` }) : a;
    if (b instanceof RedisSavingsStore) await b.ready();
    const adds = Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? a : b).add([{ resolution: 'minute', start: minute, fields: fields([['x', 1]]) }]),
    );
    await Promise.all(adds);
    expect((await a.read('minute', [minute])).get(minute)?.get('x')).toBe(50);
    await a.close();
    if (b !== a) await b.close();
  });
});

describe('savings ledger', () => {
  it('keeps counts while the store is down and adds them once it is back', async () => {
    const store = new MemorySavingsStore();
    let down = true;
    const flaky: SavingsStore = {
      kind: 'memory',
      add: (d) => (down ? Promise.reject(new Error('down')) : store.add(d)),
      read: (r, s) => store.read(r, s),
      close: () => store.close(),
    };
    const errors: string[] = [];
    const ledger = new SavingsLedger(flaky, { flushMs: 60_000, onError: (e) => errors.push(e.message) });
    ledger.count('call', 'r', '-', 'a', 'calls', 2);
    await ledger.flush();
    expect(errors).toEqual(['down']);
    ledger.count('call', 'r', '-', 'a', 'calls', 1);
    down = false;
    const read = await ledger.read(Date.now() - 60_000, Date.now() + 1);
    expect([...read.buckets.values()].map((f) => [...f.values()])).toEqual([[3]]);
    await ledger.close();
  });
});

describe('savings shared by two gateways on one Redis', () => {
  let mock: MockBackend;
  let dir: string;
  const gateways: GatewayProcess[] = [];
  const start = () =>
    startGatewayProcess({
      routesDir: dir,
      auth: 'disabled',
      redisUrl: redis.url,
      port: 0,
      host: '127.0.0.1',
      bodyLimitBytes: 1 << 20,
      shutdownGraceMs: 1000,
      log: pino({ level: 'silent' }),
      operator: { adminKey: 'admin-key-0123456789abcdef' },
    });
  const savings = async (gw: GatewayProcess) => {
    const res = await fetch(`${gw.server.url}/v1/savings?route=default/shared`, {
      headers: { authorization: 'Bearer admin-key-0123456789abcdef' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { totals: { requests: number; spend: number } };
  };

  beforeAll(async () => {
    await redis.stop();
    await redis.start();
    mock = await startMockBackend({ completionTokens: 4 });
    dir = await mkdtemp(join(tmpdir(), 'switchboard-savings-'));
    await writeFile(join(dir, 'r.yaml'), routeYaml('shared', [{ name: 'a', url: mock.url }]));
    gateways.push(await start(), await start());
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.shutdown()));
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('each sees what both answered, and a restarted gateway still does', async () => {
    const [one, two] = gateways as [GatewayProcess, GatewayProcess];
    for (let i = 0; i < 3; i++) expect((await chat(one.server.url, 'shared', 'Hello there')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await chat(two.server.url, 'shared', 'Hello there')).status).toBe(200);
    // A read flushes the reader's own counts; the other's arrive within its next flush (1 s).
    const until = Date.now() + 10_000;
    let seen = await savings(one);
    while (seen.totals.requests < 5 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await savings(one);
    }
    expect(seen.totals.requests).toBe(5);
    expect((await savings(two)).totals).toEqual(seen.totals);
    // Both replicas count the same spend for the same traffic (the exact figures are checked in process).
    expect(seen.totals.spend).toBeGreaterThan(0);
    await one.shutdown();
    gateways.shift();
    const again = await start();
    gateways.push(again);
    expect((await savings(again)).totals).toEqual(seen.totals);
  });
});
