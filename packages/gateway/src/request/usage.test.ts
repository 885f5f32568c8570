import { describe, expect, it } from 'vitest';
import { usageFromOpenAI } from './usage.js';

describe('usageFromOpenAI', () => {
  it('takes a backend-reported count as at most 2^31 - 1, and refuses what is not a count', () => {
    expect(usageFromOpenAI({ usage: { prompt_tokens: 1e200, completion_tokens: 5e300 } })).toEqual({
      promptTokens: 2 ** 31 - 1,
      completionTokens: 2 ** 31 - 1,
    });
    expect(usageFromOpenAI({ usage: { prompt_tokens: -1 } })).toBeUndefined();
    expect(usageFromOpenAI({ usage: { prompt_tokens: 3, completion_tokens: Number.NaN } })).toEqual({
      promptTokens: 3,
      completionTokens: 0,
    });
  });
});
