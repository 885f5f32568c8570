import { describe, expect, it } from 'vitest';
import type { ScoredPrompt } from './dataset.js';
import { byDataset, choosePair, datasetOf } from './pairs.js';

const row = (source: string, scores: Record<string, number>): ScoredPrompt => ({ id: '', prompt: '', source, scores });

describe('the strong/weak pair of a dataset', () => {
  it('groups rows by the dataset part of their source', () => {
    expect(datasetOf('mmlu-pro/biology')).toBe('mmlu-pro');
    const g = byDataset([row('a/x', {}), row('b/y', {}), row('a/z', {})]);
    expect([...g]).toEqual([
      ['a', [0, 2]],
      ['b', [1]],
    ]);
  });

  it("takes RouteLLM's pair in any spelling where the dataset has it", () => {
    const rows = [1, 0, 1, 1].map((s) =>
      row('arena/general', { 'gpt-4-1106-preview': s, 'mistralai/Mixtral-8x7B-Instruct-v0.1': 1 - s, 'o1-mini': 1 }),
    );
    expect(choosePair('arena', rows)).toMatchObject({
      strong: 'gpt-4-1106-preview',
      weak: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
      why: { strong: 'RouteLLM strong model', weak: 'RouteLLM weak model' },
    });
    const alpaca = [row('alpaca-eval/x', { gpt4_1106_preview: 0.5, 'Mixtral-8x7B-Instruct-v0.1_concise': 0.2, z: 0.1 })];
    expect(choosePair('alpaca-eval', alpaca)).toMatchObject({
      strong: 'gpt4_1106_preview',
      weak: 'Mixtral-8x7B-Instruct-v0.1_concise',
    });
  });

  it('otherwise the strongest and the median by mean score, among models scored on 90 % of the rows', () => {
    const rows = Array.from({ length: 10 }, (_, i) =>
      row('d/t', {
        a: 0.9,
        b: 0.7,
        c: 0.5,
        d: 0.3,
        e: 0.1,
        ...(i < 5 ? { best: 1 } : {}), // scored on half the rows: not a candidate
      }),
    );
    expect(choosePair('d', rows)).toMatchObject({
      strong: 'a',
      weak: 'c',
      why: { strong: 'highest mean score', weak: 'median mean score' },
    });
    expect(choosePair('d', rows, { strong: 'b', weak: 'e' })).toMatchObject({ strong: 'b', weak: 'e', why: { strong: 'given' } });
    // a given pair the dataset does not score falls back to the rule
    expect(choosePair('d', rows, { strong: 'x', weak: 'y' })?.strong).toBe('a');
    expect(choosePair('d', [row('d/t', { a: 1 })])).toBeUndefined();
  });
});
