import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRouter, NativeTokenizer, trainRouter } from '@switchboard/native';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backend, inProcess } from '../fixtures/in-process.fixture.js';

// docs/architecture.md: a request crosses into Rust once — its token count
// and its router's outputs in one call. Every method and getter of the two
// native classes is counted while one request is served.

const restore: (() => void)[] = [];

/** Replaces every method and getter of the native classes' prototypes with a counting one (undone after each test). */
function countNativeCalls(): { calls: string[] } {
  const seen = { calls: [] as string[] };
  for (const cls of [NativeTokenizer, NativeRouter]) {
    const proto = cls.prototype as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (name === 'constructor' || !d) continue;
      const tag = `${cls.name}.${name}`;
      const value: unknown = d.value;
      const get = d.get;
      if (typeof value === 'function') {
        const counted = function (this: unknown, ...args: unknown[]): unknown {
          seen.calls.push(tag);
          return Reflect.apply(value, this, args);
        };
        Object.defineProperty(proto, name, { ...d, value: counted });
      } else if (get) {
        const counted = function (this: unknown): unknown {
          seen.calls.push(tag);
          return Reflect.apply(get, this, []);
        };
        Object.defineProperty(proto, name, { ...d, get: counted });
      } else continue;
      restore.push(() => Object.defineProperty(proto, name, d));
    }
  }
  return seen;
}

const smart = {
  backends: [backend('strong'), backend('weak')],
  routing: { strategy: 'threshold' as const, threshold: { strong: 'strong', weak: 'weak', router: 'mf-hashed', threshold: 0.5 } },
};

describe('native calls per request', () => {
  afterEach(() => {
    for (const undo of restore.splice(0)) undo();
  });

  it('a chat request on a threshold route crosses once: tokens and router outputs together', async () => {
    const gw = await inProcess({ smart });
    const seen = countNativeCalls();
    const res = await gw.post('/v1/chat/completions', {
      model: 'smart',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Prove that the integral of 1/x diverges.' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-score')).not.toBeNull();
    expect(seen.calls).toEqual(['NativeTokenizer.analyzeChat']);
  });

  it('the one call scores the last user message, as a separate router call would', async () => {
    const gw = await inProcess({ smart });
    const router = NativeRouter.load('models/mf-hashed');
    const text = 'Write a haiku about autumn leaves.';
    const res = await gw.post('/v1/chat/completions', {
      model: 'smart',
      messages: [
        { role: 'user', content: 'Prove the integral bound.' },
        { role: 'assistant', content: 'Done.' },
        { role: 'user', content: text },
      ],
    });
    expect(Number(res.headers.get('x-switchboard-score'))).toBeCloseTo(router.score(text), 3);
  });

  describe('a threshold route on a router whose outputs are per-model qualities (knn)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-calls-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const knn = join(dir, 'knn');
    trainRouter({
      data: ['data/router/alpaca-eval-train.jsonl'],
      router: 'knn',
      strong: 'gpt4_1106_preview',
      weak: 'Mixtral-8x7B-Instruct-v0.1_concise',
      buckets: 4096,
      dim: 8,
      out: knn,
    });

    it("reads the strong/weak score, not the first model's quality", async () => {
      const router = NativeRouter.load(knn);
      const text = 'Write a limerick about a cat who learns to code.';
      expect(router.outputs(text).length).toBeGreaterThan(1);
      const routing = {
        strategy: 'threshold' as const,
        threshold: { strong: 'strong', weak: 'weak', router: knn, threshold: 0 },
      };
      const gw = await inProcess({ knn: { ...smart, routing } });
      const res = await gw.post('/v1/chat/completions', { model: 'knn', messages: [{ role: 'user', content: text }] });
      expect(Number(res.headers.get('x-switchboard-score'))).toBeCloseTo(router.score(text), 3);
    });

    it("serves predictive routing too: each backend's model found across spellings, ranked by its quality", async () => {
      const router = NativeRouter.load(knn);
      const text = 'Explain quantum entanglement to a ten-year-old.';
      const quality = router.outputs(text);
      const [a, b] = ['gpt4_1106_preview', 'Mixtral-8x7B-Instruct-v0.1_concise'];
      const qa = quality[router.modelIndex(a) as number] as number;
      const qb = quality[router.modelIndex(b) as number] as number;
      const routing = { strategy: 'predictive' as const, predictive: { router: knn, models: { strong: a, weak: b } } };
      const gw = await inProcess({ p: { ...smart, routing } });
      const res = await gw.post('/v1/chat/completions', { model: 'p', messages: [{ role: 'user', content: text }] });
      expect(res.headers.get('x-switchboard-backend')).toBe(qa >= qb ? 'strong' : 'weak');
    });
  });

  it('a completions request with a string prompt crosses once too', async () => {
    const gw = await inProcess({ smart });
    // With usage in the answer: a backend that reports none costs a count of its answer (not the prompt's).
    const answer = {
      id: 'c',
      object: 'text_completion',
      choices: [{ index: 0, text: 'x' }],
      usage: { prompt_tokens: 3, completion_tokens: 1 },
    };
    gw.transport.answer('strong', () => ({ json: answer }));
    gw.transport.answer('weak', () => ({ json: answer }));
    const seen = countNativeCalls();
    const res = await gw.post('/v1/completions', { model: 'smart', prompt: 'Explain recursion.' });
    expect(res.status).toBe(200);
    expect(seen.calls).toEqual(['NativeTokenizer.analyzeText']);
  });

  it('a route without a router only counts', async () => {
    const gw = await inProcess({ plain: { backends: [backend('a')] } });
    const seen = countNativeCalls();
    await gw.post('/v1/chat/completions', { model: 'plain', messages: [{ role: 'user', content: 'hi' }] });
    expect(seen.calls).toEqual(['NativeTokenizer.countChat']);
  });
});
