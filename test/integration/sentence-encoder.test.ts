import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeRouter, trainRouter } from '@switchboard/native';
import { describe, expect, it } from 'vitest';

const DATA = fileURLToPath(new URL('../../data/router/alpaca-eval-train.jsonl', import.meta.url));

// The pretrained encoder's weights come from scripts/fetch-models.sh (npm test runs it first).
describe('the sentence encoder (all-MiniLM-L6-v2 on CPU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentence-'));
  const data = join(dir, 'small.jsonl');
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

  it('refuses encoders it does not have, naming the ones it has, and remote training without vectors', () => {
    expect(() =>
      trainRouter({ data: [data], router: 'mf', encoder: 'bert-9000', strong: 'a', weak: 'b', out: join(dir, 'y') }),
    ).toThrow(/unknown encoder "bert-9000" \(known: hashed, sentence, remote\)/);
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
