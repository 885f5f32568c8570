import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRouter } from '@switchboard/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, inProcess, type InProcess } from '../fixtures/in-process.fixture.js';

// POST /v1/route/explain for every strategy kind, checked against what the
// same request then does, and its figures against hand-worked numbers.

interface Explained {
  strategy: string;
  decision: string | null;
  score: number | null;
  chosen: string | null;
  ranking: string[];
  rules: { name: string; matched: boolean }[];
  notes: Record<string, unknown>;
  runner: Record<string, unknown> | null;
  limits: { admitted: boolean; checked: { used: number; max: number; admits: boolean }[] };
  outcome: string;
  askedModel: boolean;
  backends: {
    name: string;
    rank: number | null;
    promptTokens: number;
    prices: { input: number; output: number } | null;
    chanceFirst?: number;
    figures: Record<string, number | string | boolean>;
  }[];
}

const body = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});

let gw: InProcess;
let dir: string;
const explain = async (b: unknown, headers: Record<string, string> = {}) => {
  const res = await gw.post('/v1/route/explain', b, headers);
  expect(res.status).toBe(200);
  return (await res.json()) as Explained;
};
const send = (b: unknown, headers: Record<string, string> = {}) => gw.post('/v1/chat/completions', b, headers);
const fig = (x: Explained, name: string) => x.backends.find((b) => b.name === name) as Explained['backends'][number];

const CODE = ['write a python function', 'fix this javascript bug', 'compile my rust code', 'optimize this sql query'];
const CHAT = ['tell me a joke', 'how was your day', 'write a poem about spring', 'what is your favourite film'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-explain-'));
  const rows = Array.from({ length: 120 }, (_, i) => {
    const code = i % 2 === 0;
    return {
      id: String(i),
      prompt: `${(code ? CODE : CHAT)[i % 4]} ${i}`,
      source: `s/${i % 4}`,
      scores: {},
      task: code ? 'code' : 'chat',
    };
  });
  await writeFile(join(dir, 'tasks.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  trainRouter({
    data: [join(dir, 'tasks.jsonl')],
    router: 'classifier',
    labels: 'task',
    strong: '',
    weak: '',
    out: join(dir, 'tasks'),
    epochs: 6,
    dim: 8,
    buckets: 4096,
  });
  const priced = (name: string, input: number, output: number, extra: Record<string, unknown> = {}) =>
    backend(name, { cost: { inputPerMillionTokens: input, outputPerMillionTokens: output }, ...extra });
  gw = await inProcess({
    prio: { backends: [priced('a', 1, 2, { weight: 3 }), priced('b', 1, 2, { weight: 1 }), priced('c', 1, 2, { priority: 1 })] },
    weigh: {
      backends: [priced('a', 1, 2, { weight: 3 }), priced('b', 1, 2, { weight: 1 }), priced('c', 1, 2, { priority: 1 })],
      routing: { strategy: 'weighted' },
    },
    smart: {
      backends: [priced('strong', 2.5, 10), priced('weak', 0.15, 0.6)],
      routing: { strategy: 'threshold', threshold: { strong: 'strong', weak: 'weak', router: 'mf-hashed', threshold: 0.55 } },
    },
    tasks: {
      backends: [priced('coder', 1, 2), priced('chatter', 1, 2), priced('general', 1, 2)],
      routing: {
        strategy: 'classifier',
        classifier: { router: join(dir, 'tasks'), classes: { code: 'coder', chat: 'chatter' }, default: 'general' },
      },
    },
    desk: {
      backends: [priced('coder', 1, 2), priced('writer', 1, 2), priced('general', 1, 2)],
      routing: {
        strategy: 'semantic',
        rules: [{ name: 'vip', backend: 'writer', header: { name: 'x-tier', equals: 'vip' } }],
        semantic: {
          default: 'general',
          routes: [
            {
              name: 'coding',
              backend: 'coder',
              threshold: 0.15,
              utterances: ['fix the bug in my sql query', 'write a python function'],
            },
            {
              name: 'writing',
              backend: 'writer',
              threshold: 0.15,
              utterances: ['write a short poem about the sea', 'draft a polite email'],
            },
          ],
        },
      },
    },
    tryage: {
      backends: [priced('gpt4', 10, 30), priced('instant', 0.8, 2.4), priced('mixtral', 0.7, 0.7)],
      routing: {
        strategy: 'predictive',
        predictive: {
          router: 'predictive-hashed',
          models: { gpt4: 'gpt4_1106_preview', instant: 'claude-instant-1.2', mixtral: 'Mixtral-8x7B-Instruct-v0.1_concise' },
          lambdaCost: 20,
        },
      },
    },
    learner: {
      backends: [priced('a', 1, 2), priced('b', 1, 2)],
      routing: { strategy: 'bandit', bandit: { algorithm: 'epsilon-greedy', epsilon: 0, weights: { quality: 1, cost: 0 } } },
    },
    frugal: {
      backends: [priced('cheap', 0.15, 0.6), priced('strong', 2.5, 10)],
      routing: { strategy: 'cascade', cascade: { minMeanLogprob: -0.5 } },
    },
    limited: { backends: [priced('a', 1, 2)], limits: { requestsPerMinute: 2 } },
    team: {
      backends: [priced('small', 0.15, 0.6), priced('medium', 1, 4), priced('large', 3, 15)],
      routing: { strategy: 'collaboration', collaboration: { mode: 'fusion', agents: 3, judge: 'large' } },
    },
  });
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('POST /v1/route/explain', () => {
  it('priority: the first tier by weight (a 3/4, b 1/4, c never first), and the request goes where it says', async () => {
    const x = await explain(body('prio', 'Hello!'));
    expect(x.strategy).toBe('priority');
    expect([fig(x, 'a').chanceFirst, fig(x, 'b').chanceFirst, fig(x, 'c').chanceFirst]).toEqual([0.75, 0.25, 0]);
    expect(x.ranking.at(-1)).toBe('c');
    expect((await send(body('prio', 'Hello!'))).headers.get('x-switchboard-backend')).toBe(x.chosen);
    expect(gw.transport.calls.filter((c) => c.backend === x.chosen)).toHaveLength(1);
  });

  it('weighted: every backend by weight, tiers ignored (3/5, 1/5, 1/5)', async () => {
    const x = await explain(body('weigh', 'Hello!'));
    expect([fig(x, 'a').chanceFirst, fig(x, 'b').chanceFirst, fig(x, 'c').chanceFirst]).toEqual([0.6, 0.2, 0.2]);
  });

  it('threshold: the router score against the threshold, the same score the request then gets', async () => {
    for (const prompt of ['hi', 'Prove that there are infinitely many primes of the form 4k+3, step by step.']) {
      const x = await explain(body('smart', prompt));
      const res = await send(body('smart', prompt));
      expect(Number(res.headers.get('x-switchboard-score'))).toBeCloseTo(x.notes.routerScore as number, 4);
      expect(x.notes.threshold).toBe(0.55);
      expect(x.decision).toBe((x.score as number) >= 0.55 ? 'strong' : 'weak');
      expect(res.headers.get('x-switchboard-backend')).toBe(x.chosen);
    }
  });

  it('classifier: every class probability and its backend; the likeliest class decides', async () => {
    const x = await explain(body('tasks', 'fix this javascript bug please'));
    const classes = x.notes.classes as { label: string; probability: number; backend: string }[];
    expect(classes.map((c) => c.label).sort()).toEqual(['chat', 'code']);
    expect(classes.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 5);
    const best = classes.reduce((a, b) => (b.probability > a.probability ? b : a));
    expect(x.decision).toBe(best.label);
    expect(x.chosen).toBe(best.backend);
    expect((await send(body('tasks', 'fix this javascript bug please'))).headers.get('x-switchboard-backend')).toBe(x.chosen);
  });

  it('semantic with a rule in front: similarities against thresholds, and which rules match', async () => {
    const x = await explain(body('desk', 'fix the bug in my sql query'));
    const routes = x.notes.routes as { name: string; similarity: number; threshold: number; passes: boolean }[];
    expect(routes.find((r) => r.name === 'coding')?.passes).toBe(true);
    expect(x.rules).toEqual([{ name: 'vip', backend: 'writer', matched: false }]);
    expect(x.chosen).toBe('coder');
    const vip = await explain(body('desk', 'fix the bug in my sql query'), { 'x-tier': 'vip' });
    expect(vip.decision).toBe('rule:vip');
    expect(vip.rules[0]?.matched).toBe(true);
    expect(vip.chosen).toBe('writer');
    const res = await send(body('desk', 'fix the bug in my sql query'), { 'x-tier': 'vip' });
    expect(res.headers.get('x-switchboard-backend')).toBe('writer');
  });

  it('predictive: utility = predicted quality - 20 x (prompt tokens x input price + answer tokens x output price)', async () => {
    const x = await explain(body('tryage', 'Write a haiku about routers.', { max_tokens: 50 }));
    for (const b of x.backends) {
      const f = b.figures;
      const prices = b.prices as { input: number; output: number };
      const cost = (b.promptTokens * prices.input + (f.expectedOutputTokens as number) * prices.output) / 1e6;
      expect(f.expectedOutputTokens).toBeLessThanOrEqual(50);
      expect(f.expectedCost as number).toBeCloseTo(cost, 12);
      expect(f.utility as number).toBeCloseTo((f.predictedQuality as number) - 20 * cost, 9);
    }
    const best = [...x.backends].sort((p, q) => (q.figures.utility as number) - (p.figures.utility as number))[0];
    expect(x.chosen).toBe(best?.name);
    const res = await send(body('tryage', 'Write a haiku about routers.', { max_tokens: 50 }));
    expect(res.headers.get('x-switchboard-backend')).toBe(x.chosen);
  });

  it('bandit: each arm’s pulls and mean reward (quality weight 1, default quality 0.5, no cost weight)', async () => {
    await send(body('learner', 'one'));
    await send(body('learner', 'two'));
    const x = await explain(body('learner', 'three'));
    expect(x.notes.algorithm).toBe('epsilon-greedy');
    const pulls = x.backends.reduce((s, b) => s + (b.figures.pulls as number), 0);
    expect(pulls).toBe(2);
    for (const b of x.backends) if ((b.figures.pulls as number) > 0) expect(b.figures.meanReward).toBeCloseTo(0.5, 9);
    expect((await send(body('learner', 'three'))).headers.get('x-switchboard-backend')).toBe(x.chosen);
  });

  it('cascade: the stages in order and the acceptance rule; nothing is called', async () => {
    const before = gw.transport.calls.length;
    const x = await explain(body('frugal', 'What is 2 + 2?'));
    expect(x.runner).toMatchObject({ stages: ['cheap', 'strong'], confidence: 'logprob', minMeanLogprob: -0.5 });
    expect(x.ranking).toEqual(['cheap', 'strong']);
    expect(x.chosen).toBe('cheap');
    expect(gw.transport.calls.length).toBe(before);
  });

  it('collaboration: the plan the request would run, the one its answer then reports; nothing is called', async () => {
    const before = gw.transport.calls.length;
    const x = await explain(body('team', 'Compare two ways to cache a web page.'));
    expect(gw.transport.calls.length).toBe(before);
    expect(x.strategy).toBe('collaboration');
    const runner = x.runner as { mode: string; agents: { backend: string }[]; judge: string; summary: string; chosenBy: string };
    expect(runner).toMatchObject({ mode: 'fusion', judge: 'large', chosenBy: 'fixed' });
    expect(runner.agents).toHaveLength(3);
    const res = await send(body('team', 'Compare two ways to cache a web page.'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-collaboration')).toContain(runner.summary);
  });

  it('limits: what is used, without taking any; a full limit says the request would be refused', async () => {
    const first = await explain(body('limited', 'x'));
    expect(first.limits.checked[0]).toMatchObject({ used: 0, max: 2, admits: true });
    expect((await explain(body('limited', 'x'))).limits.checked[0]?.used).toBe(0);
    await send(body('limited', 'x'));
    await send(body('limited', 'x'));
    const full = await explain(body('limited', 'x'));
    expect(full.limits).toMatchObject({ admitted: false, checked: [{ used: 2, admits: false }] });
    expect(full.outcome).toMatch(/^refused/);
    expect((await send(body('limited', 'x'))).status).toBe(429);
  });

  it('x-switchboard-explain: 1 puts the same decision in a response header; without it, nothing', async () => {
    const res = await send(body('smart', 'hi'), { 'x-switchboard-explain': '1' });
    const header = res.headers.get('x-switchboard-explanation') ?? '';
    expect(header).toMatch(
      /^strategy=threshold; decision=(strong|weak); score=0\.\d{4}; threshold=0\.55; ranking=\w+,\w+; answered=\w+$/,
    );
    expect(header).toContain(`answered=${res.headers.get('x-switchboard-backend')}`);
    expect((await send(body('smart', 'hi'))).headers.get('x-switchboard-explanation')).toBeNull();
  });

  it('takes completions and embeddings bodies too, and refuses a body with nothing to route', async () => {
    const x = await explain({ model: 'prio', prompt: 'Once upon a time' });
    expect(x.chosen).toBe('a');
    const none = await gw.post('/v1/route/explain', { model: 'prio' });
    expect(none.status).toBe(400);
  });
});
