import { describe, expect, it } from 'vitest';
import type { CompiledBackend } from '../table/backend.js';
import type { RankRequest } from '../table/strategy.js';
import { addReward, automatonUpdate, chooseArm, emptyState, reward, type BanditParams } from './bandit/algorithms.js';
import { parsePreference } from './predictive/rank.js';
import { compileRule } from './rules/rank.js';
import { thresholdAtShare } from './threshold/build.js';

const seeded = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const params = (algorithm: BanditParams['algorithm']): BanditParams => ({
  algorithm,
  epsilon: 0.1,
  exploration: 1,
  learningRate: 0.1,
});

/** Plays `steps` rounds against arms with fixed Bernoulli means; returns the pulls per arm. */
function play(algorithm: BanditParams['algorithm'], means: number[], steps: number, seed: number): number[] {
  const random = seeded(seed);
  const env = seeded(seed + 1);
  const state = emptyState(means.length);
  const pulls = means.map(() => 0);
  const p = params(algorithm);
  for (let t = 0; t < steps; t++) {
    const arm = chooseArm(state, p, random);
    pulls[arm] = (pulls[arm] as number) + 1;
    const r = env() < (means[arm] as number) ? 1 : 0;
    addReward(state, arm, r);
    if (algorithm === 'automaton') state.probs = automatonUpdate(state.probs, arm, r, p.learningRate);
  }
  return pulls;
}

describe('bandit algorithms', () => {
  it.each(['epsilon-greedy', 'ucb1', 'thompson', 'automaton'] as const)(
    '%s ends up pulling the best arm most (seeded)',
    (algorithm) => {
      const pulls = play(algorithm, [0.2, 0.8, 0.5], 3000, 11);
      expect(pulls[1]).toBeGreaterThan(pulls[0] as number);
      expect(pulls[1]).toBeGreaterThan(pulls[2] as number);
      expect(pulls[1] as number).toBeGreaterThan(3000 * 0.5);
      // reproducible from the seed
      expect(play(algorithm, [0.2, 0.8, 0.5], 3000, 11)).toEqual(pulls);
    },
  );

  it('an arm whose statistics an absurd reward broke (NaN) is not picked for ever', () => {
    // prompt_tokens: 1e200 at a cost weight made sumSq Infinity, its variance NaN, and argmax kept index 0.
    const state = emptyState(2);
    for (let i = 0; i < 10; i++) {
      addReward(state, 0, -1e193);
      addReward(state, 1, 0.5);
    }
    const random = seeded(3);
    const picks = [0, 0];
    for (let i = 0; i < 200; i++) picks[chooseArm(state, params('thompson'), random)]! += 1;
    expect(picks[1]).toBe(200);
  });

  it('tries every arm once before exploiting (value-based policies)', () => {
    const state = emptyState(3);
    const p = params('ucb1');
    const order: number[] = [];
    for (let i = 0; i < 3; i++) {
      const arm = chooseArm(state, p, () => 0.5);
      order.push(arm);
      addReward(state, arm, 0);
    }
    expect(order).toEqual([0, 1, 2]);
  });

  it('the learning automaton rewards the chosen arm, and a zero reward changes nothing', () => {
    const probs = automatonUpdate([0.25, 0.25, 0.5], 0, 1, 0.1);
    expect(probs[0]).toBeCloseTo(0.325);
    expect(probs[1]).toBeCloseTo(0.225);
    expect(probs[2]).toBeCloseTo(0.45);
    expect(probs.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(automatonUpdate([0.25, 0.75], 0, 0, 0.1)).toEqual([0.25, 0.75]);
  });

  it("PickLLM's reward: quality minus cost and log latency", () => {
    expect(reward({ quality: 1, cost: 10, latency: 0.1 }, 0.8, 0.01, Math.E)).toBeCloseTo(0.8 - 0.1 - 0.1);
  });
});

describe('predictive preference header', () => {
  it('parses cost and latency weights, ignoring what it does not understand', () => {
    expect(parsePreference('cost=0.5, latency=0.1')).toEqual({ cost: 0.5, latency: 0.1 });
    expect(parsePreference('cost=-1,speed=3,latency=x')).toEqual({});
    expect(parsePreference(undefined)).toEqual({});
  });
});

describe('thresholdAtShare', () => {
  const percentiles = Array.from({ length: 101 }, (_, i) => i / 100);
  it('turns a share of strong calls into the matching score percentile', () => {
    expect(thresholdAtShare(percentiles, 0.3)).toBeCloseTo(0.7);
    expect(thresholdAtShare(percentiles, 0.25)).toBeCloseTo(0.75);
    expect(thresholdAtShare(percentiles, 1)).toBe(Number.NEGATIVE_INFINITY);
    expect(thresholdAtShare(percentiles, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('routing rules', () => {
  const backend = { name: 'x' } as CompiledBackend;
  const request = (prompt: string, headers: Record<string, string> = {}, metadata?: Record<string, unknown>): RankRequest => ({
    prompt: () => prompt,
    header: (n) => headers[n],
    metadata,
    promptTokens: () => prompt.split(' ').length,
    routerOutputs: () => [],
    maxOutputTokens: 0,
  });
  it('all given conditions must hold', () => {
    const rule = compileRule(
      {
        name: 'r',
        backend: 'x',
        keywords: ['SQL', 'database'],
        header: { name: 'X-Team', matches: '^data' },
        minPromptTokens: 3,
      },
      backend,
    );
    expect(rule.test(request('write a sql query please', { 'x-team': 'data-eng' }))).toBe(true);
    expect(rule.test(request('write a sql query please', { 'x-team': 'web' }))).toBe(false);
    expect(rule.test(request('sql', { 'x-team': 'data-eng' }))).toBe(false);
    expect(rule.test(request('write a haiku for me', { 'x-team': 'data-eng' }))).toBe(false);
  });
  it('regex, header presence and metadata', () => {
    expect(compileRule({ name: 'r', backend: 'x', promptMatches: '^translate' }, backend).test(request('Translate this'))).toBe(
      true,
    );
    expect(compileRule({ name: 'r', backend: 'x', header: { name: 'x-a' } }, backend).test(request('p', { 'x-a': '' }))).toBe(
      true,
    );
    const meta = compileRule({ name: 'r', backend: 'x', metadata: { key: 'tier', equals: 'gold' } }, backend);
    expect(meta.test(request('p', {}, { tier: 'gold' }))).toBe(true);
    expect(meta.test(request('p', {}, { tier: 'tin' }))).toBe(false);
    expect(meta.test(request('p'))).toBe(false);
  });
  it('an invalid regular expression is an error at load', () => {
    expect(() => compileRule({ name: 'r', backend: 'x', promptMatches: '(' }, backend)).toThrow(
      /invalid regular expression: .*unclosed group/s,
    );
  });
  it('look-around and backreferences, which need a backtracking engine, are refused at load', () => {
    expect(() => compileRule({ name: 'r', backend: 'x', promptMatches: '(?=a)a' }, backend)).toThrow(/look-around/);
    expect(() => compileRule({ name: 'r', backend: 'x', header: { name: 'x-a', matches: '(a)\\1' } }, backend)).toThrow(
      /backreferences are not supported/,
    );
  });
  it('patterns that backtrack catastrophically in JavaScript answer at once, with its answers', () => {
    // Each would hold JavaScript's engine for years on these texts.
    const long = `${'a'.repeat(100_000)}!`;
    const nested = compileRule({ name: 'r', backend: 'x', promptMatches: '(a+)+$' }, backend);
    expect(nested.test(request(long))).toBe(false);
    expect(nested.test(request('AAA'))).toBe(true);
    const overlapping = compileRule({ name: 'r', backend: 'x', header: { name: 'x-a', matches: '^(a|aa)*b' } }, backend);
    expect(overlapping.test(request('p', { 'x-a': long }))).toBe(false);
    expect(overlapping.test(request('p', { 'x-a': 'aaab' }))).toBe(true);
    const polynomial = compileRule({ name: 'r', backend: 'x', promptMatches: '.*.*.*.*x' }, backend);
    expect(polynomial.test(request(long))).toBe(false);
    expect(compileRule({ name: 'r', backend: 'x', promptMatches: '\\bjoin\\b' }, backend).test(request('please JOIN us'))).toBe(
      true,
    );
  });
});
