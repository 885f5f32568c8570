import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeRouter, trainRouter } from '@switchboard/native';
import { afterAll, describe, expect, it } from 'vitest';

const DATA = fileURLToPath(new URL('../../data/router/alpaca-eval-train.jsonl', import.meta.url));

// The pretrained encoder's weights come from scripts/fetch-models.sh (npm test runs it first).
describe('the sentence encoder (all-MiniLM-L6-v2 on CPU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentence-'));
  const data = join(dir, 'small.jsonl');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(data, readFileSync(DATA, 'utf8').split('\n').slice(0, 48).join('\n'));
  const trainSentence = (out: string) =>
    trainRouter({
      data: [data],
      router: 'classifier',
      encoder: 'sentence',
      strong: 'gpt4_1106_preview',
      weak: 'gemma-2b-it',
      out,
    });

  it('trains a router on sentence embeddings that loads and scores prompts', () => {
    const out = join(dir, 'router');
    const meta = JSON.parse(trainSentence(out)) as { encoder: string; encoder_model: string; dim: number };
    expect(meta).toMatchObject({ encoder: 'sentence', encoder_model: 'all-MiniLM-L6-v2', dim: 384 });
    const router = NativeRouter.load(out);
    const score = router.score('Write a sonnet about the sea.');
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1);
    expect(router.score('Write a sonnet about the sea.')).toBe(score);
  });

  it('names the missing files when the weights are absent', () => {
    const before = process.env.SWITCHBOARD_MODELS;
    process.env.SWITCHBOARD_MODELS = join(dir, 'empty-models');
    try {
      expect(() => trainSentence(join(dir, 'x'))).toThrow(
        /sentence encoder needs .*empty-models\/all-MiniLM-L6-v2\/config.json \(run scripts\/fetch-models.sh/,
      );
    } finally {
      if (before === undefined) delete process.env.SWITCHBOARD_MODELS;
      else process.env.SWITCHBOARD_MODELS = before;
    }
  });

  it('the shipped ensemble (models/mf-ensemble: hashed + sentence mf) loads, scores in [0, 1] and takes another pair', () => {
    const router = NativeRouter.load(fileURLToPath(new URL('../../models/mf-ensemble', import.meta.url)));
    const info = JSON.parse(router.info) as { router: string; members: string[]; score_percentiles: number[] };
    expect(info).toMatchObject({ router: 'ensemble', members: ['mf-hashed', 'mf-sentence'] });
    expect(info.score_percentiles).toHaveLength(101);
    const score = router.score('Prove that there are infinitely many primes.');
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    const other = router.withPair('gpt4_1106_preview', 'FuseChat-Llama-3.2-1B-Instruct');
    expect(other.score('Write a haiku about routers.')).toBeGreaterThanOrEqual(0);
    expect(() => router.withPair('gpt-9', 'gpt-10')).toThrow(/router knows no model "gpt-9"/);
  });

  it('refuses encoders it does not have, naming the ones it has, and remote training without vectors', () => {
    expect(() =>
      trainRouter({ data: [data], router: 'mf', encoder: 'bert-9000', strong: 'a', weak: 'b', out: join(dir, 'y') }),
    ).toThrow(/unknown encoder "bert-9000" \(known: hashed, sentence, static, remote\)/);
    expect(() =>
      trainRouter({ data: [data], router: 'mf', encoder: 'remote', strong: 'a', weak: 'b', out: join(dir, 'y') }),
    ).toThrow(/the remote encoder trains on vectors from \/v1\/embeddings: pass `vectors`/);
    expect(() =>
      trainRouter({
        data: [data],
        router: 'mf',
        encoder: 'remote',
        vectors: new Float32Array(7),
        strong: 'a',
        weak: 'b',
        out: join(dir, 'y'),
      }),
    ).toThrow(/7 vector values for \d+ examples/);
  });
});
