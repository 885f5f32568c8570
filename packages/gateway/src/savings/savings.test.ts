import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAccess } from '../auth/admin-key.js';
import { backend, chatAnswer, inProcess, KEY, type InProcess } from '../fixtures/in-process.fixture.js';
import { combineObservers } from '../observe/combine.js';
import type { CompiledBackend } from '../table/backend.js';
import { SavingsLedger } from './ledger.js';
import { MemorySavingsStore } from './memory-store.js';
import { savingsObserver } from './observer.js';
import { evaluatorCall } from './side-calls.js';

// GET /v1/savings on a small scripted workload, every figure worked out by
// hand: each scripted answer reports 10 prompt and 3 completion tokens
// (chatAnswer) unless the script says otherwise; prices are per million.

const priced = (name: string, input: number, output: number, extra: Record<string, unknown> = {}) =>
  backend(name, { cost: { inputPerMillionTokens: input, outputPerMillionTokens: output }, ...extra });
const chat = (model: string, content = 'Hello!') => ({ model, messages: [{ role: 'user', content }] });
const ADMIN = 'admin-key-0123456789abcdef';

interface Report {
  totals: { requests: number; spend: number; routingCost: number; baselineCost: number; saved: number };
  routes: {
    route: string;
    requests: number;
    spend: number;
    routingCost: number;
    baseline: { backend: string; chosen: string; cost: number } | null;
    saved: number | null;
    savedShare: number | null;
    backends: {
      backend: string;
      requests: number;
      share: number;
      calls: number;
      promptTokens: number;
      completionTokens: number;
      spend: number;
    }[];
    routing: { kind: string; backend: string | null; calls: number; spend: number; priced: boolean }[];
    unpriced: string[];
    tenants: { tenant: string; requests: number; spend: number }[];
  }[];
  series?: { routes: { route: string; spend: number; requests: Record<string, number> }[] }[];
}

/** A tiny OpenAI-compatible embeddings server: "code" texts point one way, the rest the other. */
async function embeddingsServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const input = (JSON.parse(text) as { input: string[] }).input;
      const data = input.map((t, index) => ({ index, embedding: /code|bug|function/i.test(t) ? [1, 0] : [0, 1] }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

let gw: InProcess;
let ledger: SavingsLedger;
let embed: { server: Server; url: string };
const report = async (query = '', headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) => {
  const res = await gw.app.request(`/v1/savings${query}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
};
const route = (r: Report, id: string) => r.routes.find((x) => x.route === `default/${id}`) as Report['routes'][number];

beforeAll(async () => {
  embed = await embeddingsServer();
  ledger = new SavingsLedger(new MemorySavingsStore(), { flushMs: 60_000 });
  const observer = combineObservers([savingsObserver(ledger)]);
  gw = await inProcess(
    {
      pair: { backends: [priced('a', 1, 2), priced('b', 10, 20, { priority: 1 })] },
      frugal: { backends: [priced('cheap', 0.15, 0.6), priced('strong', 2.5, 10)], routing: { strategy: 'cascade' } },
      checked: {
        backends: [priced('cheap', 0.15, 0.6), priced('strong', 2.5, 10), priced('judge', 1, 2)],
        routing: { strategy: 'cascade', cascade: { stages: ['cheap', 'strong'], confidence: 'verifier', verifier: 'judge' } },
      },
      learner: {
        backends: [priced('a', 1, 2), priced('judge', 1, 2)],
        routing: {
          strategy: 'bandit',
          bandit: { algorithm: 'epsilon-greedy', epsilon: 0, evaluator: { backend: 'judge', sampleRate: 1 } },
        },
      },
      remote: {
        backends: [priced('coder', 1, 2), priced('general', 1, 2)],
        routing: {
          strategy: 'semantic',
          embeddings: { endpoint: embed.url, model: 'tiny' },
          semantic: {
            encoder: 'remote',
            default: 'general',
            routes: [{ name: 'code', backend: 'coder', threshold: 0.5, utterances: ['fix a code bug'] }],
          },
        },
      },
      free: { backends: [priced('local', 0, 0), priced('paid', 1, 2, { priority: 1 })] },
    },
    {
      auth: true,
      deps: () => ({ observer, savings: ledger, admin: adminAccess(ADMIN, false) }),
      onAsked: (b: CompiledBackend, answer: unknown) => {
        const call = evaluatorCall(gw.deps.tables.current(), b, answer);
        if (call) observer?.sideCall?.(call);
      },
    },
  );
  gw.transport.answer('judge', (call) => ({
    json: {
      ...chatAnswer(call.backend),
      choices: [{ index: 0, message: { role: 'assistant', content: 'yes' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 1 },
    },
  }));
  for (let i = 0; i < 3; i++) await gw.post('/v1/chat/completions', chat('pair'));
  await gw.post('/v1/chat/completions', chat('frugal'));
  await gw.post('/v1/chat/completions', chat('checked'));
  await gw.post('/v1/chat/completions', chat('learner'));
  await gw.post('/v1/chat/completions', chat('remote', 'fix this code bug'));
  await gw.post('/v1/chat/completions', chat('free'));
}, 60_000);

afterAll(async () => {
  await ledger.close();
  embed.server.close();
});

describe('GET /v1/savings', () => {
  it('priority: 3 answers on a (30 + 9 tokens = 48 µ$) against b, the dearest (480 µ$): 432 µ$ saved, 90 %', async () => {
    const r = route(await report(), 'pair');
    expect(r.requests).toBe(3);
    expect(r.spend).toBeCloseTo(48e-6, 12);
    expect(r.baseline).toEqual({ backend: 'b', chosen: 'most-expensive', cost: expect.closeTo(480e-6, 12) as number });
    expect(r.saved).toBeCloseTo(432e-6, 12);
    expect(r.savedShare).toBeCloseTo(0.9, 9);
    expect(r.backends.find((b) => b.backend === 'a')).toMatchObject({
      requests: 3,
      share: 1,
      calls: 3,
      promptTokens: 30,
      completionTokens: 9,
    });
    expect(r.backends.find((b) => b.backend === 'b')).toMatchObject({ requests: 0, share: 0, calls: 0 });
  });

  it('a named baseline: against a itself nothing was saved', async () => {
    const r = route(await report('?baseline=a&route=default/pair'), 'pair');
    expect(r.baseline).toMatchObject({ backend: 'a', chosen: 'named' });
    expect(r.saved).toBeCloseTo(0, 12);
  });

  it('cascade: the rejected cheap stage (3.3 µ$) is spend too; priced on strong the answer costs 55 µ$: -3.3 µ$ saved', async () => {
    const r = route(await report(), 'frugal');
    expect(r.requests).toBe(1);
    expect(r.spend).toBeCloseTo(3.3e-6 + 55e-6, 12);
    expect(r.baseline?.cost).toBeCloseTo(55e-6, 12);
    expect(r.saved).toBeCloseTo(-3.3e-6, 12);
    expect(r.backends.find((b) => b.backend === 'cheap')).toMatchObject({ calls: 1, requests: 0 });
    expect(r.backends.find((b) => b.backend === 'strong')).toMatchObject({ calls: 1, requests: 1, share: 1 });
  });

  it('the verifier is the cost of routing: 20 + 1 tokens on judge = 22 µ$; the cheap answer was accepted', async () => {
    const r = route(await report(), 'checked');
    expect(r.routing).toEqual([
      {
        kind: 'cascade',
        backend: 'judge',
        calls: 1,
        promptTokens: 20,
        completionTokens: 1,
        spend: expect.closeTo(22e-6, 12) as number,
        priced: true,
      },
    ]);
    expect(r.spend).toBeCloseTo(3.3e-6, 12);
    expect(r.routingCost).toBeCloseTo(22e-6, 12);
    // Baseline: the dearest for 10 + 3 tokens is strong (55 µ$); net of routing, 55 - 3.3 - 22.
    expect(r.saved).toBeCloseTo(55e-6 - 3.3e-6 - 22e-6, 12);
  });

  it("a bandit's evaluator ratings are the cost of routing of its route (22 µ$ each)", async () => {
    const until = Date.now() + 10_000;
    let r = route(await report(), 'learner');
    while (!r.routing.length && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 50));
      r = route(await report(), 'learner');
    }
    expect(r.routing).toEqual([
      {
        kind: 'evaluator',
        backend: 'judge',
        calls: 1,
        promptTokens: 20,
        completionTokens: 1,
        spend: expect.closeTo(22e-6, 12) as number,
        priced: true,
      },
    ]);
  });

  it('remote embeddings: one unpriced routing call per request, and the code route answered', async () => {
    const r = route(await report(), 'remote');
    expect(r.routing).toEqual([
      { kind: 'embeddings', backend: null, calls: 1, promptTokens: 0, completionTokens: 0, spend: 0, priced: false },
    ]);
    expect(r.backends.find((b) => b.backend === 'coder')?.requests).toBe(1);
  });

  it('backends without prices are named; the baseline is the dearest priced one', async () => {
    const r = route(await report(), 'free');
    expect(r.unpriced).toEqual(['local']);
    expect(r.spend).toBe(0);
    expect(r.baseline).toMatchObject({ backend: 'paid', cost: expect.closeTo(16e-6, 12) as number });
  });

  it('totals add the routes up; the series adds up to the same spend', async () => {
    const r = await report('?series=1');
    expect(r.totals.requests).toBe(r.routes.reduce((s, x) => s + x.requests, 0));
    expect(r.totals.spend).toBeCloseTo(
      r.routes.reduce((s, x) => s + x.spend, 0),
      12,
    );
    const seriesSpend = (r.series ?? []).flatMap((p) => p.routes).reduce((s, x) => s + x.spend, 0);
    expect(seriesSpend).toBeCloseTo(r.totals.spend + r.totals.routingCost, 12);
  });

  it('an API key sees its own tenant only; without the admin key nothing else; the admin key sees all', async () => {
    const own = await report('?tenant=other', { authorization: `Bearer ${KEY}` });
    expect(own.routes.flatMap((x) => x.tenants.map((t) => t.tenant))).toEqual(expect.arrayContaining(['t']));
    expect(own.routes.every((x) => x.tenants.every((t) => t.tenant === 't'))).toBe(true);
    expect((await gw.app.request('/v1/savings')).status).toBe(401);
    expect((await gw.app.request('/v1/savings', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    // The admin key is no API key: it opens the admin views only.
    const asAdmin = await gw.app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('pair')),
    });
    expect(asAdmin.status).toBe(401);
  });

  it('windows: nothing before the traffic; bad windows are 400s', async () => {
    const old = await report(`?from=${Date.now() - 3 * 3_600_000}&to=${Date.now() - 2 * 3_600_000}`);
    expect(old.totals.requests).toBe(0);
    expect((await gw.app.request('/v1/savings?window=forever', { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(
      400,
    );
  });
});
