import { describe, expect, it } from 'vitest';
import { compileRedactions, patternProblem, redact } from './redact.js';

describe('redaction patterns from route authors', () => {
  const accepted = [
    '[\\w.+-]+@[\\w-]+\\.[\\w.]+',
    '\\b\\d{13,16}\\b|\\b\\d{4}[ -]\\d{4}[ -]\\d{4}[ -]\\d{1,4}\\b',
    'sk-[A-Za-z0-9]{20,}',
    '(?:ab)+',
    '(?<year>\\d{4})-\\d{2}',
    '[(]+', // a parenthesis in a class is a character
    'a\\(+',
  ];
  for (const p of accepted) it(`accepts ${p}`, () => expect(patternProblem(p, '')).toBeUndefined());

  const refused: [string, RegExp][] = [
    ['(a+)+$', /catastrophic backtracking/],
    ['(a|aa)*b', /catastrophic backtracking/],
    ['(?:\\d[ -]?){13,16}', /catastrophic backtracking/],
    ['((a)*)+', /catastrophic backtracking/],
    ['(?:x(?:y|z))+', /catastrophic backtracking/],
    ['(.*a){12}', /catastrophic backtracking/],
    ['(x)\\1', /backreferences/],
    ['(?<n>x)\\k<n>', /backreferences/],
    ['(?=a)b', /lookahead/],
    ['(?<!a)b', /lookahead/],
    ['a*', /empty string/],
    ['(', /not a valid regular expression/],
  ];
  for (const [p, why] of refused) it(`refuses ${p}`, () => expect(patternProblem(p, '')).toMatch(why));

  it('refuses bad flags', () => expect(patternProblem('a', 'ii')).toMatch(/not a valid/));

  it('replaces every match, in order, literally (no $1), and counts them', () => {
    const r = compileRedactions([
      { pattern: '\\d+', flags: '', replacement: '<$1>' },
      { pattern: 'SECRET', flags: 'i', replacement: '#' },
    ]);
    expect(redact('a1 b22 secret Secret', r)).toEqual({ text: 'a<$1> b<$1> # #', count: 4 });
  });

  it('a refused pattern is one that would hang: the accepted email pattern stays fast on hostile input', () => {
    const [email] = compileRedactions([{ pattern: accepted[0] as string, flags: '', replacement: 'x' }]);
    const hostile = `${'a.'.repeat(4000)}@`;
    const start = performance.now();
    redact(hostile, [email as NonNullable<typeof email>]);
    // Generous: the point is that it is not exponential (seconds or more), not a timing claim.
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
