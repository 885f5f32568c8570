import { Admission, GatewayMetrics, MemoryLimitStore, RedisLimitStore, hashKey, type LimitStore } from '@switchboard/gateway';
import { loadTokenizer } from '@switchboard/native';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routeYaml, startHarness, type Harness } from '../helpers/harness.js';
import { chatAnswer, json, startHostileBackend, type HostileBackend } from '../helpers/hostile-backend.js';
import { inOneMinuteWindow } from '../helpers/limits.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

// Every limit holds under a concurrent burst: 200 requests at once may
// overshoot a limit by at most one request's worth, whatever they ask for
// (max_tokens or not, n choices, streamed without usage).

const BURST = 200;
const TOKENS_PER_MINUTE = 5000;
const KEY = 'sk-burst-0123456789';
const PROMPT = [{ role: 'user', content: 'Hello, Switchboard!' }];
const tokenizer = loadTokenizer('o200k_base');

interface Used {
  ok: number;
  refused: number;
  tokens: number;
  /** Tokens of the largest single answer: the allowed overshoot. */
  largest: number;
  cost: number;
  /** Cost of the dearest single answer. */
  largestCost: number;
}

/** Fires the burst; adds up what the admitted requests used, counted as the gateway counts (native when unreported). */
async function burst(
  url: string,
  model: string,
  body: Record<string, unknown>,
  prices: { input: number; output: number },
): Promise<Used> {
  const used: Used = { ok: 0, refused: 0, tokens: 0, largest: 0, cost: 0, largestCost: 0 };
  const prompt = tokenizer.countChat(PROMPT);
  await Promise.all(
    Array.from({ length: BURST }, async () => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model, messages: PROMPT, ...body }),
      });
      if (res.status === 429) {
        used.refused++;
        await res.arrayBuffer();
        return;
      }
      expect(res.status).toBe(200);
      let input: number;
      let output: number;
      if (body.stream) {
        const text = (await res.text())
          .split('\n\n')
          .filter((e) => e.startsWith('data: {'))
          .map((e) => JSON.parse(e.slice(6)) as { choices: { delta?: { content?: string } }[] })
          .flatMap((e) => e.choices.map((c) => c.delta?.content ?? ''))
          .join('');
        [input, output] = [prompt, tokenizer.count(text)];
      } else {
        const answer = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
        [input, output] = [answer.usage.prompt_tokens, answer.usage.completion_tokens];
      }
      used.ok++;
      used.tokens += input + output;
      used.largest = Math.max(used.largest, input + output);
      const cost = input * prices.input + output * prices.output;
      used.cost += cost;
      used.largestCost = Math.max(used.largestCost, cost);
    }),
  );
  return used;
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const stores: [string, () => string | undefined][] = [
  ['memory', () => undefined],
  ['redis', () => redis.url],
];

// Routes are named afresh for every case: counters in Redis outlive a gateway.
let routes = 0;

describe.each(stores)('tokens per minute under a burst of 200 (%s store)', (_name, redisUrl) => {
  const start = (route: string, mock: { usage?: boolean; completionTokens?: number } = {}) =>
    startHarness(
      ([a]) => routeYaml(route, [{ name: 'a', url: a ?? '' }], `  limits: { tokensPerMinute: ${TOKENS_PER_MINUTE} }\n`),
      [{ completionTokens: 400, ...mock }],
      { apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\n`, redisUrl: redisUrl() },
    );
  const cases: [string, Record<string, unknown>, { usage?: boolean }][] = [
    ['with max_tokens', { max_tokens: 400 }, {}],
    ['without max_tokens', {}, {}],
    ['with n = 20', { n: 20, max_tokens: 50 }, {}],
    ['streamed, the backend reporting no usage', { stream: true }, { usage: false }],
  ];
  it.each(cases)('%s: overshoot within one request', async (_label, body, mock) => {
    const route = `burst-${++routes}`;
    h = await start(route, mock);
    await inOneMinuteWindow();
    const used = await burst(h.url, route, body, { input: 0, output: 0 });
    expect(used.ok).toBeGreaterThan(0);
    expect(used.refused).toBeGreaterThan(0);
    expect(used.tokens).toBeLessThanOrEqual(TOKENS_PER_MINUTE + used.largest);
  });
});

describe('a budget under a burst of 200', () => {
  // $10 and $20 per million tokens; a budget of 0.01 per day.
  const prices = { input: 10e-6, output: 20e-6 };
  const start = () =>
    startHarness(
      ([a]) =>
        routeYaml('burst', [{ name: 'a', url: a ?? '' }]).replace(
          'cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 }',
          'cost: { inputPerMillionTokens: 10, outputPerMillionTokens: 20 }',
        ),
      [{ completionTokens: 16 }],
      {
        apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\ntenants:\n  t: { budget: { amount: 0.01, period: day } }\n`,
      },
    );

  it('is overspent by at most one request, with max_tokens', async () => {
    h = await start();
    const used = await burst(h.url, 'burst', { max_tokens: 16 }, prices);
    expect(used.ok).toBeGreaterThan(0);
    expect(used.refused).toBeGreaterThan(0);
    expect(used.cost).toBeLessThanOrEqual(0.01 + used.largestCost);
  });

  it('refuses requests that could cost more than is left (no max_tokens: 4096 completion tokens reserved)', async () => {
    h = await start();
    const used = await burst(h.url, 'burst', {}, prices);
    expect(used.ok).toBe(0);
    expect(used.cost).toBe(0);
  });
});

// A reservation that overflows must not switch a budget off. n choices of a
// max_tokens near 1e308 gave Infinity tokens, and Infinity × an unpriced
// backend's 0 gave a NaN cost: NaN passed every check of the memory store and
// stayed in the counter for the rest of the period, and Redis refused it as
// an argument, which (failing open) admitted the request unreserved.
describe.each(stores)('a budget against overflowing reservations (%s store)', (_name, redisUrl) => {
  const caller = () => ({
    keyName: `k${++routes}`,
    tenant: `t${routes}`,
    routes: ['*'],
    keyLimits: { tokensPerMinute: 1_000_000 },
    tenantLimits: undefined,
    budget: { amount: 1, period: 'day' as const },
  });
  const route = { id: 'default/r' } as Parameters<Admission['admit']>[1];

  it.each([
    ['a NaN cost', { tokens: 10, cost: Number.NaN }],
    ['an infinite cost', { tokens: 10, cost: Number.POSITIVE_INFINITY }],
    ['infinite tokens', { tokens: Number.POSITIVE_INFINITY, cost: 0.1 }],
  ])('refuses %s and leaves the counters as they were', async (_label, estimate) => {
    const url = redisUrl();
    const store: LimitStore = url ? new RedisLimitStore(url, { prefix: `overflow${++routes}:` }) : new MemoryLimitStore();
    if (store instanceof RedisLimitStore) await store.ready();
    const metrics = new GatewayMetrics();
    const admission = new Admission(store, 'open', metrics, pino({ level: 'silent' }));
    const c = caller();
    try {
      (await admission.admit(c, route, { tokens: 10, cost: 0.4 })).settle({ promptTokens: 4, completionTokens: 6 }, 0.4);
      await expect(admission.admit(c, route, estimate)).rejects.toMatchObject({ status: 429 });
      const [keyTokens, budget] = await admission.preview(c, route, { tokens: 10, cost: 0.4 });
      expect(keyTokens?.used).toBe(10);
      expect(budget?.used).toBeCloseTo(0.4, 9);
      // The store was never asked to do something it cannot (a failure would admit, failing open).
      expect((await metrics.limitStoreErrors.get()).values).toEqual([]);
      // The budget still counts: 0.4 + 0.4 fits, a third does not.
      await admission.admit(c, route, { tokens: 10, cost: 0.4 });
      await expect(admission.admit(c, route, { tokens: 10, cost: 0.4 })).rejects.toMatchObject({
        status: 429,
        code: 'budget_exceeded',
      });
    } finally {
      await store.close();
    }
  });
});

describe('requests that ask for more output than any server writes', () => {
  it.each([
    ['/v1/chat/completions', { messages: PROMPT, max_tokens: 1e308, n: 2 }],
    ['/v1/chat/completions', { messages: PROMPT, max_completion_tokens: 2 ** 31 }],
    ['/v1/completions', { prompt: 'Hello', max_tokens: 1e300 }],
    ['/v1/messages', { messages: PROMPT, max_tokens: 1e308 }],
    ['/v1/responses', { input: 'Hello', max_output_tokens: 1e308 }],
  ])('%s %j is refused with 400', async (path, body) => {
    h ??= await startHarness(([a]) => routeYaml('caps', [{ name: 'a', url: a ?? '' }]), [{}], {
      apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\n`,
    });
    const res = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'caps', ...body }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/2147483647/);
  });
});

describe('a backend that reports more usage than the request allowed', () => {
  // An untrusted backend answers a max_tokens 8 request claiming two billion completion tokens.
  let liar: HostileBackend;
  beforeAll(async () => {
    liar = await startHostileBackend((_req, res, body) => {
      const usage = { prompt_tokens: 5, completion_tokens: 2_000_000_000, total_tokens: 2_000_000_005 };
      if (!body.stream) return json(res, 200, chatAnswer({ usage }));
      const chunk = (extra: Record<string, unknown>) =>
        `data: ${JSON.stringify({ id: 'l', object: 'chat.completion.chunk', created: 0, model: 'liar', ...extra })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        chunk({ choices: [{ index: 0, delta: { content: 'fine' }, finish_reason: 'stop' }] }) +
          chunk({ choices: [], usage }) +
          'data: [DONE]\n\n',
      );
    });
  });
  afterAll(() => liar.close());

  it.each([false, true])('spends the caller’s tokens per minute by what the request allowed (stream: %s)', async (stream) => {
    const route = `liar-${++routes}`;
    h = await startHarness(
      () => routeYaml(route, [{ name: 'liar', url: liar.url }], `  limits: { tokensPerMinute: ${TOKENS_PER_MINUTE} }\n`),
      [],
      { apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\n` },
    );
    const url = h.url;
    await inOneMinuteWindow();
    const ask = async () => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: route, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, stream }),
      });
      await res.arrayBuffer();
      return res.status;
    };
    // Each request reserves about 8 + its prompt; at two billion charged the second would be refused.
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push(await ask());
    expect(statuses).toEqual(Array(10).fill(200));
  });
});
