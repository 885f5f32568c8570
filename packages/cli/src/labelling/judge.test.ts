import { describe, expect, it } from 'vitest';
import { pairwiseMessages, pairwiseScore, parseRating, parseVerdict, ratingScore, singleMessages } from './judge.js';

describe('the judge', () => {
  it('reads the last rating and verdict in the rubric format, nothing else', () => {
    expect(parseRating('Good. Rating: [[8]]')).toBe(8);
    expect(parseRating('[[2]] at first, on reflection Rating: [[ 7.5 ]]')).toBe(7.5);
    expect(parseRating('Rating: 8')).toBeUndefined();
    expect(parseRating('Rating: [[11]]')).toBeUndefined();
    expect(parseVerdict('A is better... final: [[B]]')).toBe('B');
    expect(parseVerdict('[[C]]')).toBe('C');
    expect(parseVerdict('A')).toBeUndefined();
    expect(ratingScore(9)).toBeCloseTo(0.9);
  });

  it('scores a candidate from both orders, so a fixed position preference cancels', () => {
    // candidate as A, then as B
    expect(pairwiseScore('A', 'B')).toBe(1);
    expect(pairwiseScore('B', 'A')).toBe(0);
    expect(pairwiseScore('A', 'A')).toBe(0.5);
    expect(pairwiseScore('B', 'B')).toBe(0.5);
    expect(pairwiseScore('C', 'B')).toBe(0.75);
  });

  it('puts the question and the answers where the rubric says', () => {
    const s = singleMessages('Q?', 'ans');
    expect(s.system).toMatch(/rate the response on a scale of 1 to 10/);
    expect(s.user).toContain("[Question]\nQ?\n\n[The Start of Assistant's Answer]\nans\n");
    const p = pairwiseMessages('Q?', 'first', 'second');
    expect(p.system).toMatch(/"\[\[A\]\]" if assistant A is better/);
    expect(p.user.indexOf('first')).toBeLessThan(p.user.indexOf('second'));
  });
});
