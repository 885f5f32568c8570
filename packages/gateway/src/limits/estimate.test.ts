import { describe, expect, it } from 'vitest';
import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute } from '../table/route.js';
import { chatCompletions, embeddings } from '../request/operations.js';
import { estimateUsage } from './estimate.js';

const backend = (over: Partial<CompiledBackend>): CompiledBackend =>
  ({ name: 'b', inputPricePerToken: 1e-6, outputPricePerToken: 2e-6, maxOutputTokens: undefined, ...over }) as CompiledBackend;
const route = (backends: CompiledBackend[]): CompiledRoute =>
  ({ backends, reserveOutputTokens: 4096 }) as unknown as CompiledRoute;
const tokens = () => 10;

describe('estimateUsage', () => {
  it('reserves n x max_tokens plus the prompt, priced on the dearest backend', () => {
    const r = route([backend({}), backend({ name: 'dear', outputPricePerToken: 5e-6 })]);
    expect(estimateUsage(chatCompletions, r, { model: 'm', n: 3, max_tokens: 100 }, tokens)).toEqual({
      tokens: 310,
      cost: 10 * 1e-6 + 300 * 5e-6,
    });
  });

  it("without max_tokens: the backend's maxOutputTokens, else the route's default", () => {
    const r = route([backend({ maxOutputTokens: 256 }), backend({ name: 'open' })]);
    expect(estimateUsage(chatCompletions, r, { model: 'm' }, tokens).tokens).toBe(10 + 4096);
    expect(estimateUsage(chatCompletions, route([backend({ maxOutputTokens: 256 })]), { model: 'm' }, tokens).tokens).toBe(266);
    expect(estimateUsage(chatCompletions, r, { model: 'm', max_completion_tokens: 7 }, tokens).tokens).toBe(17);
  });

  it('embeddings write nothing', () => {
    const e = estimateUsage(embeddings, route([backend({})]), { model: 'm', n: 5 }, tokens);
    expect(e.tokens).toBe(10);
    expect(e.cost).toBeCloseTo(10e-6, 12);
  });
});
