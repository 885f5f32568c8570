import { startMockBackend } from '@switchboard/cli';
import { hashKey } from '@switchboard/gateway';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, eventually, routeYaml, startHarness, type Harness } from '../helpers/harness.js';
import { serveProcess } from '../helpers/cli-process.js';
import { inOneMinuteWindow } from '../helpers/limits.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const KEY_A = 'sk-team-a-0123456789';
const KEY_B = 'sk-team-b-9876543210';

const keys = (extra = '') => `keys:
  - { name: ci, tenant: team-a, sha256: ${hashKey(KEY_A)}, limits: { requestsPerMinute: 3 } }
  - { name: viewer, tenant: team-b, sha256: ${hashKey(KEY_B)}, routes: [other] }
${extra}`;

const call = (h: { url: string }, key: string | undefined, body = chatBody('main'), extraHeaders: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...extraHeaders },
    body,
  });

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; code: string } }).error;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const twoRoutes = ([a]: string[]) =>
  [routeYaml('main', [{ name: 'a', url: a ?? '' }]), routeYaml('other', [{ name: 'a', url: a ?? '' }])].join('---\n');

describe('API keys', () => {
  it('lets in only known keys, without ever echoing a key', async () => {
    h = await startHarness(twoRoutes, [{}], { apiKeys: keys() });
    const none = await call(h, undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await call(h, 'sk-wrong-secret-value');
    expect(wrong.status).toBe(401);
    const error = await errorOf(wrong);
    expect(error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(JSON.stringify(error)).not.toContain('sk-wrong-secret-value');
    expect((await call(h, KEY_A)).status).toBe(200);
    expect((await call(h, undefined, chatBody('main'), { 'x-api-key': KEY_A })).status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).not.toContain(KEY_A);
    expect(metrics).not.toContain('sk-wrong');
  });

  it('limits a key to its routes, in requests and in the model list', async () => {
    h = await startHarness(twoRoutes, [{}], { apiKeys: keys() });
    const denied = await call(h, KEY_B);
    expect(denied.status).toBe(403);
    expect(await errorOf(denied)).toMatchObject({ type: 'permission_error', code: 'model_not_allowed' });
    expect((await call(h, KEY_B, chatBody('other'))).status).toBe(200);
    const models = (await (await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${KEY_B}` } })).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m) => m.id)).toEqual(['other']);
  });

  it('picks up a rotated key without a restart', async () => {
    h = await startHarness(twoRoutes, [{}], { apiKeys: keys() });
    const file = join(h.routesDir, '..', `${h.routesDir.split('/').pop()}-keys.yaml`);
    await writeFile(file, `keys:\n  - { name: ci, tenant: team-a, sha256: ${hashKey('sk-rotated-key-1')} }\n`);
    await eventually(async () => (await call(h!, 'sk-rotated-key-1')).status === 200);
    expect((await call(h, KEY_A)).status).toBe(401);
  });
});

describe('rate limits and budgets (in memory)', () => {
  it('refuses past requests per minute, saying which limit and when it resets', async () => {
    h = await startHarness(twoRoutes, [{}], { apiKeys: keys() });
    await inOneMinuteWindow();
    for (let i = 0; i < 3; i++) expect((await call(h, KEY_A)).status).toBe(200);
    const refused = await call(h, KEY_A);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const error = await errorOf(refused);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(
      /^Rate limit reached for API key ci on requests per minute: limit 3, used 3, requested 1\. It resets at .+Z \(in \d+ s\)\.$/,
    );
  });

  it('checks tokens before admission (prompt + max_tokens) and reconciles with the real usage', async () => {
    h = await startHarness(twoRoutes, [{}], {
      apiKeys: `keys:\n  - { name: t, tenant: x, sha256: ${hashKey(KEY_A)}, limits: { tokensPerMinute: 200 } }\n`,
    });
    await inOneMinuteWindow();
    const tooBig = await call(h, KEY_A, chatBody('main', { max_tokens: 500 }));
    expect(tooBig.status).toBe(429);
    expect((await errorOf(tooBig)).message).toContain('on tokens per minute: limit 200');
    // Each admitted request reserves ~165 tokens but uses ~25 (the mock reports usage):
    // without reconciliation the second would not fit.
    expect((await call(h, KEY_A, chatBody('main', { max_tokens: 150 }))).status).toBe(200);
    expect((await call(h, KEY_A, chatBody('main', { max_tokens: 150 }))).status).toBe(200);
  });

  it('stops a tenant before its budget would be overspent', async () => {
    h = await startHarness(twoRoutes, [{}], {
      apiKeys: `keys:\n  - { name: t, tenant: x, sha256: ${hashKey(KEY_A)} }\ntenants:\n  x: { budget: { amount: 0.00007, period: day } }\n`,
    });
    // With max_tokens 16 a call may cost (12 * 1 + 16 * 2) / 1e6 = 0.000044 at the harness prices (12 prompt
    // tokens counted natively), reserved before it is sent and settled to the usage the mock reports (13 + 16).
    const capped = chatBody('main', { max_tokens: 16 });
    expect((await call(h, KEY_A, capped)).status).toBe(200);
    const refused = await call(h, KEY_A, capped);
    expect(refused.status).toBe(429);
    const error = await errorOf(refused);
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toMatch(
      /^Budget reached for tenant x: 0\.000045 of 0\.00007 per day spent or reserved, and this request may cost up to 0\.000044\. It resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/,
    );
    // Without max_tokens a request reserves the route default (4096 completion tokens): refused at once.
    const open = await call(h, KEY_A);
    expect(open.status).toBe(429);
  });

  it('applies route-wide limits to every caller together', async () => {
    h = await startHarness(
      ([a]) => routeYaml('main', [{ name: 'a', url: a ?? '' }], '  limits: { requestsPerMinute: 2 }\n'),
      [{}],
      {
        apiKeys: keys(),
      },
    );
    await inOneMinuteWindow();
    expect((await call(h, KEY_A)).status).toBe(200);
    expect((await call(h, KEY_A)).status).toBe(200);
    const refused = await call(h, KEY_A);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).message).toContain('for route default/main on requests per minute: limit 2');
  });
});

describe('rate limits shared through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('enforces one combined limit across two gateway processes', async () => {
    const mock = await startMockBackend({});
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-two-'));
    await mkdir(join(dir, 'routes'));
    await writeFile(join(dir, 'routes', 'r.yaml'), twoRoutes([mock.url]));
    await writeFile(
      join(dir, 'keys.yaml'),
      `keys:\n  - { name: shared, tenant: s, sha256: ${hashKey(KEY_A)}, limits: { requestsPerMinute: 5 } }\n`,
    );
    const args = ['--routes', join(dir, 'routes'), '--api-keys', join(dir, 'keys.yaml'), '--redis', redis.url];
    const [one, two] = await Promise.all([serveProcess(args), serveProcess(args)]);
    try {
      await inOneMinuteWindow();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await call(i % 2 ? one : two, KEY_A)).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    } finally {
      await Promise.all([one.stop(), two.stop(), mock.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails open or closed while Redis is down, as configured, and recovers', async () => {
    const apiKeys = `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY_A)}, limits: { requestsPerMinute: 1000 } }\n`;
    const open = await startHarness(twoRoutes, [{}], { apiKeys, redisUrl: redis.url, limitsOnStoreError: 'open' });
    const closed = await startHarness(twoRoutes, [{}], { apiKeys, redisUrl: redis.url, limitsOnStoreError: 'closed' });
    try {
      expect((await call(open, KEY_A)).status).toBe(200);
      await redis.stop();
      expect((await call(open, KEY_A)).status).toBe(200);
      const refused = await call(closed, KEY_A);
      expect(refused.status).toBe(503);
      expect(await errorOf(refused)).toMatchObject({ code: 'limits_unavailable' });
      const metrics = await (await fetch(`${open.url}/metrics`)).text();
      expect(metrics).toMatch(/switchboard_limit_store_errors_total\{mode="open"\} [1-9]/);
      await redis.start();
      await eventually(async () => (await call(closed, KEY_A)).status === 200, 10_000);
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
