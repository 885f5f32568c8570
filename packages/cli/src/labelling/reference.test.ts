import { describe, expect, it } from 'vitest';
import { choiceOf, gradeByReference, gradeChoice, gradeExact, gradeNumeric, gradingFor, parseNumber } from './reference.js';

describe('grading against a reference answer', () => {
  it('chooses the grading the reference looks like', () => {
    expect(['B', '(c)', 'D.', '42', '-3.5', '1,234', '3/4', 'Paris', 'x = 2'].map(gradingFor)).toEqual([
      'choice',
      'choice',
      'choice',
      'numeric',
      'numeric',
      'numeric',
      'numeric',
      'exact',
      'exact',
    ]);
  });

  it('exact: the whole answer or its final part, normalised', () => {
    expect(gradeExact('Paris', 'paris')).toBe(1);
    expect(gradeExact('I think so.\nAnswer: Paris.', 'Paris')).toBe(1);
    expect(gradeExact('The answer is New  York!', 'new york')).toBe(1);
    expect(gradeExact('Paris or Lyon', 'Paris')).toBe(0);
    expect(gradeExact('anything', '')).toBe(0);
  });

  it('numeric: the final number, commas and fractions understood', () => {
    expect(parseNumber('1,234.5')).toBe(1234.5);
    expect(parseNumber('3/4')).toBe(0.75);
    expect(parseNumber('$12')).toBe(12);
    expect(parseNumber('twelve')).toBeUndefined();
    expect(gradeNumeric('First 3 apples, then 2 more: 5 in all.', '5')).toBe(1);
    expect(gradeNumeric('#### 1,000', '1000')).toBe(1);
    expect(gradeNumeric('The answer is 4. (Checked with 2+2=4 and 7.)', '4')).toBe(1);
    expect(gradeNumeric('\\boxed{0.75}', '3/4')).toBe(1);
    expect(gradeNumeric('It is 5.', '4')).toBe(0);
    expect(gradeNumeric('no number', '4')).toBe(0);
  });

  it('choice: the letter the answer picks', () => {
    expect(choiceOf('The answer is (B) because ...')).toBe('B');
    expect(choiceOf('Answer: c')).toBe('C');
    expect(choiceOf('C. Jupiter is largest')).toBe('C');
    expect(choiceOf('Options (A) and (B) are wrong; \\boxed{D}')).toBe('D');
    expect(choiceOf('I cannot tell')).toBeUndefined();
    expect(gradeChoice('(B)', 'b')).toBe(1);
    expect(gradeChoice('The answer is A.', 'B')).toBe(0);
    expect(gradeByReference('The answer is (B).', 'B')).toBe(1);
    expect(gradeByReference('4', '4', 'exact')).toBe(1);
  });
});
