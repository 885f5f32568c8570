import { loadTokenizer } from '@switchboard/native';
import { describe, expect, it } from 'vitest';
import type { CompiledBackend } from '../table/backend.js';
import type { RankRequest, Strategy } from '../table/strategy.js';
import { priorityStrategy } from './priority/rank.js';
import { weightedStrategy } from './weighted/rank.js';

const STRATEGIES: Record<string, (backends: readonly CompiledBackend[]) => Strategy> = {
  priority: priorityStrategy,
  weighted: weightedStrategy,
};
// Neither reads the request.
const request = {} as RankRequest;
const createStrategy = (name: string, backends: readonly CompiledBackend[]) => {
  const make = STRATEGIES[name] as (b: readonly CompiledBackend[]) => Strategy;
  const s = make(backends);
  return { rank: (random: () => number) => s.rank(random, request) };
};

const backend = (name: string, priority: number, weight: number): CompiledBackend => ({
  name,
  provider: 'openai-compatible',
  transport: 'http',
  baseUrl: new URL('http://127.0.0.1:1/v1/'),
  model: name,
  apiKey: undefined,
  inputPricePerToken: 0,
  outputPricePerToken: 0,
  cachedInputPricePerToken: 0,
  cacheWritePricePerToken: 0,
  contextWindow: undefined,
  priority,
  weight,
  tokenizer: loadTokenizer('o200k_base'),
  maxConcurrency: undefined,
  maxQueue: 0,
  capabilities: new Set(),
  headers: {},
  maxOutputTokens: undefined,
  settings: { kind: 'openai' },
});

/** Sequence of fixed random numbers, cycling. */
const fixed = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

// priority and weighted rank synchronously
const names = (bs: CompiledBackend[] | Promise<CompiledBackend[]>) => (bs as CompiledBackend[]).map((b) => b.name);

// The shared cases every strategy passes (DESIGN.md example 3).
describe.each(['priority', 'weighted'])('%s strategy: common cases', (name) => {
  it('ranks every backend exactly once', () => {
    const backends = [backend('a', 0, 1), backend('b', 1, 2), backend('c', 0, 0)];
    const ranked = createStrategy(name, backends).rank(fixed(0.3, 0.9, 0.1));
    expect([...names(ranked)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('puts zero-weight backends after the others', () => {
    const ranked = createStrategy(name, [backend('zero', 0, 0), backend('one', 0, 1)]).rank(fixed(0));
    expect(names(ranked)).toEqual(['one', 'zero']);
  });

  it('returns the single backend of a one-backend route', () => {
    expect(names(createStrategy(name, [backend('only', 3, 5)]).rank(fixed(0.99)))).toEqual(['only']);
  });
});

describe('priority strategy', () => {
  it('prefers the lowest tier whatever the weights', () => {
    const s = createStrategy('priority', [backend('fallback', 1, 1000), backend('primary', 0, 1)]);
    for (const r of [0, 0.5, 0.999]) expect(names(s.rank(fixed(r)))).toEqual(['primary', 'fallback']);
  });

  it('splits a tier by weight', () => {
    const s = createStrategy('priority', [backend('a', 0, 3), backend('b', 0, 1), backend('c', 1, 1)]);
    expect(names(s.rank(fixed(0.74)))).toEqual(['a', 'b', 'c']); // 0.74 * 4 = 2.96 < 3
    expect(names(s.rank(fixed(0.76)))).toEqual(['b', 'a', 'c']); // 3.04 >= 3
  });
});

describe('weighted strategy', () => {
  it('ignores tiers and follows weights', () => {
    const s = createStrategy('weighted', [backend('a', 0, 1), backend('b', 5, 3)]);
    expect(names(s.rank(fixed(0.2)))).toEqual(['a', 'b']); // 0.8 < 1
    expect(names(s.rank(fixed(0.3)))).toEqual(['b', 'a']); // 1.2 >= 1
  });

  it('approaches the configured shares with a seeded generator', () => {
    let seed = 7;
    const lcg = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const s = createStrategy('weighted', [backend('a', 0, 1), backend('b', 0, 3)]);
    let b = 0;
    for (let i = 0; i < 4000; i++) if ((s.rank(lcg) as { name: string }[])[0]?.name === 'b') b++;
    expect(b / 4000).toBeGreaterThan(0.72);
    expect(b / 4000).toBeLessThan(0.78);
  });
});
