// Redaction of sampled prompts with route authors' regular expressions.
// JavaScript's engine backtracks, so a hostile or careless pattern could
// hold the event loop every request shares. The defence, without a second
// regex engine: patterns whose backtracking can explode are refused when the
// route is planned (below), and every text a pattern runs on is capped first
// (maxPromptChars plus a margin), which bounds what remains (polynomial in
// that cap, and only for patterns with several adjacent unbounded
// quantifiers over the same characters).

/** Extra characters redaction reads past maxPromptChars, so a match cut by the cap is still found. */
export const REDACT_MARGIN = 256;

/**
 * Why `pattern` is refused, or undefined when it may be used. Refused: what
 * does not compile; backreferences and lookaround; a quantified group
 * holding a quantifier or an alternation — `(a+)+`, `(a|aa)*`,
 * `(?:\d[ -]?){13,16}`, the shapes of catastrophic backtracking (a nested
 * quantifier or overlapping alternatives under repetition); and patterns
 * that match the empty string (they would insert the replacement
 * everywhere). Top-level alternation and quantifiers on single characters
 * and classes are fine: `\b\d{13,16}\b|\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,4}\b`.
 */
export function patternProblem(pattern: string, flags: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern, `g${flags}`);
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  const shape = shapeProblem(pattern);
  if (shape) return shape;
  re.lastIndex = 0;
  if (re.test('')) return 'the pattern matches the empty string';
  return undefined;
}

interface Group {
  quantified: boolean;
  alternation: boolean;
}

const isQuantifierAt = (p: string, i: number): boolean =>
  p[i] === '*' || p[i] === '+' || p[i] === '?' || (p[i] === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(i)));

/** The pattern's shape, read without compiling it: escapes and classes skipped, groups tracked. */
function shapeProblem(p: string): string | undefined {
  const nested = 'a quantified group may hold neither a quantifier nor an alternation (catastrophic backtracking)';
  const stack: Group[] = [{ quantified: false, alternation: false }];
  const top = () => stack[stack.length - 1] as Group;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\') {
      const next = p[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
      continue;
    }
    if (ch === '[') {
      // A class: up to its unescaped closing bracket.
      i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      continue;
    }
    if (ch === '(') {
      if (p.startsWith('(?=', i) || p.startsWith('(?!', i) || p.startsWith('(?<=', i) || p.startsWith('(?<!', i)) {
        return 'lookahead and lookbehind are not allowed';
      }
      stack.push({ quantified: false, alternation: false });
      // (?: and (?<name>: the group's prefix is not a quantifier.
      if (p[i + 1] === '?') i = p.startsWith('(?<', i) ? p.indexOf('>', i) : p.indexOf(':', i);
      continue;
    }
    if (ch === ')') {
      const group = stack.length > 1 ? (stack.pop() as Group) : { quantified: false, alternation: false };
      const repeated = isQuantifierAt(p, i + 1);
      if (repeated && (group.quantified || group.alternation)) return nested;
      const parent = top();
      parent.quantified ||= group.quantified || repeated;
      parent.alternation ||= group.alternation;
      if (repeated) i = skipQuantifier(p, i + 1);
      continue;
    }
    if (ch === '|') {
      if (stack.length > 1) top().alternation = true;
      continue;
    }
    if (isQuantifierAt(p, i)) {
      top().quantified = true;
      i = skipQuantifier(p, i);
    }
  }
  return undefined;
}

/** Index of the quantifier's last character (a lazy `?` included). */
function skipQuantifier(p: string, i: number): number {
  let end = p[i] === '{' ? p.indexOf('}', i) : i;
  if (p[end + 1] === '?') end++;
  return end;
}

export interface Redaction {
  re: RegExp;
  replacement: string;
}

/** Checked patterns (the plan refused the others) to their regular expressions. */
export const compileRedactions = (list: readonly { pattern: string; flags: string; replacement: string }[]): Redaction[] =>
  list.map((r) => ({ re: new RegExp(r.pattern, `g${r.flags}`), replacement: r.replacement }));

/** `text` with every redaction applied in order; the replacement is literal (no $1). */
export function redact(text: string, redactions: readonly Redaction[]): { text: string; count: number } {
  let count = 0;
  let out = text;
  for (const { re, replacement } of redactions) {
    out = out.replace(re, () => {
      count++;
      return replacement;
    });
  }
  return { text: out, count };
}
