import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  crossValidateRouter,
  crossValidateRouterAsync,
  loadTokenizer,
  NativeRouter,
  trainRouter,
  trainRouterAsync,
  type TrainOptions,
} from './index.js';

const DATA = fileURLToPath(new URL('../../../data/router/alpaca-eval-train.jsonl', import.meta.url));
const DEFAULT_ROUTER = fileURLToPath(new URL('../../../models/default', import.meta.url));

describe('scoreMany with turns', () => {
  it("scores a conversation's last message as the gateway scores that chat request", () => {
    // models/default reads the explicit features, the conversation's turns among them
    const router = NativeRouter.load(DEFAULT_ROUTER);
    const q = 'And what about its history?';
    const chat = [
      { role: 'user', content: 'Tell me about Paris.' },
      { role: 'assistant', content: 'It is a city.' },
      { role: 'user', content: q },
    ];
    const served = loadTokenizer('o200k_base').analyzeChat(chat, router, undefined, true).outputs[0] as number;
    const [single, second, unknown] = router.scoreMany([q, q, q], [0, 2]);
    expect(second).toBeCloseTo(served, 6);
    expect(second).not.toBeCloseTo(single as number, 6);
    // 0, or no entry: a single prompt, as score() reads it
    expect(unknown).toBe(router.score(q));
    expect(single).toBe(router.score(q));
  });
});

describe('NativeRouter training off the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'native-router-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (out: string): TrainOptions => ({
    data: [DATA],
    router: 'mf',
    strong: 'gpt4_1106_preview',
    weak: 'FuseChat-Llama-3.2-1B-Instruct',
    epochs: 1,
    buckets: 4096,
    dim: 8,
    out: join(dir, out),
  });

  it('trainRouterAsync resolves to typed metadata and writes the same router as trainRouter', async () => {
    const pending = trainRouterAsync(options('async'));
    expect(pending).toBeInstanceOf(Promise);
    const meta = await pending;
    expect(meta).toMatchObject({ router: 'mf', encoder: 'hashed', strong: 'gpt4_1106_preview', dim: 8, buckets: 4096 });
    expect(meta.models).toHaveLength(17);
    expect(meta.scorePercentiles).toHaveLength(101);
    trainRouter(options('sync'));
    const [a, b] = [NativeRouter.load(join(dir, 'async')), NativeRouter.load(join(dir, 'sync'))];
    expect(a.score('Write a proof that there are infinitely many primes.')).toBe(
      b.score('Write a proof that there are infinitely many primes.'),
    );
    // the typed getter and the JSON one describe the same router
    const info = JSON.parse(a.info) as { strong: string; models: string[] };
    expect(a.metadata.strong).toBe(info.strong);
    expect(a.metadata.models).toEqual(info.models);
  });

  it('cross-validation has a Promise twin with the same scores, by source or by dataset', async () => {
    const sync = crossValidateRouter(options('cv'));
    expect(await crossValidateRouterAsync(options('cv'))).toEqual(sync);
    expect(sync).toHaveLength(569);
    // a single dataset held out leaves nothing to train on: a clear error, not a crash
    await expect(crossValidateRouterAsync({ ...options('cv'), cv: 'dataset' })).rejects.toThrow(/no training example scores/);
    await expect(crossValidateRouterAsync({ ...options('cv'), cv: 'random' })).rejects.toThrow(/unknown cross-validation/);
  });

  it('rejects bad options with the reason', async () => {
    await expect(trainRouterAsync({ ...options('bad'), encoder: 'bert-9000' })).rejects.toThrow(/unknown encoder "bert-9000"/);
    expect(() => NativeRouter.load(join(dir, 'missing'))).toThrow(/router\.json/);
  });
});
