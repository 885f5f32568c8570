import { describe, expect, it } from 'vitest';
import { compileRedactions, patternProblem, redact, type Redaction } from './redact.js';

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
    ['(x)\\1', /backreferences are not supported/],
    ['(?<n>x)\\k<n>', /invalid regular expression/],
    ['(?=a)b', /look-around/],
    ['(?<!a)b', /look-around/],
    ['a*', /can match zero characters/],
    // Empty only between characters: each still inserted its replacement everywhere.
    ['\\b', /can match zero characters/],
    ['^', /can match zero characters/],
    ['(?m)$', /can match zero characters/],
    ['x|', /can match zero characters/],
    ['(', /invalid regular expression: .*unclosed group/s],
  ];
  for (const [p, why] of refused) it(`refuses ${p}`, () => expect(patternProblem(p, '')).toMatch(why));

  it('refuses bad flags', () => {
    expect(patternProblem('a', 'ii')).toMatch(/not a valid set of flags/);
    expect(patternProblem('a', 'g')).toMatch(/not a valid set of flags/);
  });

  it('replaces every match, in order, literally (no $1), and counts them', () => {
    const r = compileRedactions([
      { pattern: '\\d+', flags: '', replacement: '<$1>' },
      { pattern: 'SECRET', flags: 'i', replacement: '#' },
    ]);
    expect(redact('a1 b22 secret Secret', r)).toEqual({ text: 'a<$1> b<$1> # #', count: 4 });
  });

  it('keeps each pass within maxChars, however much its replacement grows the text', () => {
    // 32 passes of one-character matches, each replaced by 256 characters: 4,000 characters
    // became 1 MB after one pass and 263 MB after two, and Rust aborted the process on the third.
    const r = compileRedactions(Array.from({ length: 32 }, () => ({ pattern: '.', flags: 's', replacement: 'x'.repeat(256) })));
    const done = redact('é'.repeat(4000), r, 8192);
    expect(done.text).toBe('x'.repeat(8192));
    expect(done.count).toBeGreaterThan(32 * 31);
    expect(done.count).toBeLessThan(4000 + 31 * 8192);
  });

  it('the flags mean what they mean in JavaScript', () => {
    const [i, m, sFlag] = compileRedactions([
      { pattern: 'secret', flags: 'i', replacement: '#' },
      { pattern: '^b$', flags: 'm', replacement: '#' },
      { pattern: 'x.y', flags: 'su', replacement: '#' },
    ]) as [Redaction, Redaction, Redaction];
    expect(redact('a SeCrEt', [i]).text).toBe('a #');
    expect(redact('a\nb\nc', [m]).text).toBe('a\n#\nc');
    expect(redact('x\ny', [sFlag]).text).toBe('#');
    expect(redact('x\ny', compileRedactions([{ pattern: 'x.y', flags: '', replacement: '#' }])).text).toBe('x\ny');
  });

  it('patterns that backtrack catastrophically in JavaScript are accepted and answer at once, with its answers', () => {
    // Each would hold JavaScript's engine for years on this text.
    const hostile = `${'a'.repeat(100_000)}!`;
    for (const pattern of ['(a+)+$', '(a|aa)*b', '.*.*.*.*x', '(?:a[ -]?){13,16}!']) {
      expect(patternProblem(pattern, '')).toBeUndefined();
      const done = redact(hostile, compileRedactions([{ pattern, flags: '', replacement: '#' }]));
      expect(done.count).toBe(pattern.endsWith('!') ? 1 : 0);
    }
  });
});
