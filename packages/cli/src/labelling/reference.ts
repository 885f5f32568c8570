// Grading an answer against a reference answer: exact match, a number, or
// an option letter. Models answer in prose ("The answer is (B) because ..."),
// so each grader first finds the answer in the text, then compares.

export type ReferenceGrading = 'exact' | 'numeric' | 'choice';

const LETTER = /^\(?([A-Ja-j])\)?[.:]?$/;

/** How a reference is checked when not told: a lone option letter is a choice, a number numeric, else exact. */
export function gradingFor(reference: string): ReferenceGrading {
  const r = reference.trim();
  if (LETTER.test(r)) return 'choice';
  if (parseNumber(r) !== undefined) return 'numeric';
  return 'exact';
}

/** Lower case, letters and digits only, single spaces. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What follows an answer's last "answer is" / "answer:" / "####" marker, or its last \boxed{}; undefined when it has none. */
function markedPart(answer: string): string | undefined {
  const marked = [...answer.matchAll(/(?:answer\s*(?:is|:)|####|final answer\s*:?)\s*([^\n]*)/gi)].pop();
  if (marked?.[1]?.trim()) return marked[1];
  return [...answer.matchAll(/\\boxed\{([^}]*)\}/g)].pop()?.[1];
}

/** The marked part of an answer, else its last non-empty line. */
function finalPart(answer: string): string {
  return (
    markedPart(answer) ??
    answer
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ??
    ''
  );
}

/** 1 when the answer, or its final part, is the reference (normalised), else 0. */
export function gradeExact(answer: string, reference: string): number {
  const want = normalise(reference);
  if (!want) return 0;
  return normalise(answer) === want || normalise(finalPart(answer)) === want ? 1 : 0;
}

/** A number in text: 1,234.5 / -3 / 3/4 / 2.5e3; undefined when none. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/(\d),(?=\d{3}\b)/g, '$1');
  const fraction = /^(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
  if (fraction) {
    const d = Number(fraction[2]);
    return d === 0 ? undefined : Number(fraction[1]) / d;
  }
  const m = /^[$€£]?\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*%?$/i.exec(t);
  return m ? Number(m[1]) : undefined;
}

const NUMBERS = /-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)?/gi;

/** 1 when the answer's final number equals the reference's (relative tolerance 1e-6), else 0. */
export function gradeNumeric(answer: string, reference: string): number {
  const want = parseNumber(reference);
  if (want === undefined) return 0;
  const numbers = (text: string) => [...text.matchAll(NUMBERS)].map((m) => parseNumber(m[0])).filter((n) => n !== undefined);
  // The first number after "answer is", "####" or in \boxed{}, else the answer's last number.
  const marked = markedPart(answer);
  const got = (marked === undefined ? undefined : numbers(marked)[0]) ?? numbers(answer).pop();
  return got !== undefined && Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)) ? 1 : 0;
}

/** The option letter an answer chooses: after "answer is", in \boxed{}, as "(B)", or as the answer's first word; undefined when none. */
export function choiceOf(answer: string): string | undefined {
  const patterns = [
    /answer\s*(?:is|:)?\s*:?\s*\(?\**([A-J])\b\)?/gi,
    /\\boxed\{\s*\(?([A-J])\)?\s*\}/g,
    /^\s*\(?([A-J])\)?(?:[.:)]|$)/gm,
    /\(([A-J])\)/g,
  ];
  for (const p of patterns) {
    const last = [...answer.matchAll(p)].pop();
    if (last?.[1]) return last[1].toUpperCase();
  }
  return undefined;
}

/** 1 when the answer chooses the reference's letter, else 0. */
export function gradeChoice(answer: string, reference: string): number {
  const want = LETTER.exec(reference.trim())?.[1]?.toUpperCase();
  return want !== undefined && choiceOf(answer) === want ? 1 : 0;
}

/** The answer's score (0 or 1) against the reference, by `grading` (or the one the reference suggests). */
export function gradeByReference(answer: string, reference: string, grading?: ReferenceGrading): number {
  switch (grading ?? gradingFor(reference)) {
    case 'choice':
      return gradeChoice(answer, reference);
    case 'numeric':
      return gradeNumeric(answer, reference);
    default:
      return gradeExact(answer, reference);
  }
}
