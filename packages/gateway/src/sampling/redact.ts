// Redaction of sampled prompts with route authors' regular expressions.
// They run in Rust's regex crate (NativeTextPattern), as the rules'
// patterns do: a match takes time linear in the text for every pattern, so
// neither a hostile pattern nor a hostile prompt can hold the event loop
// every request shares. JavaScript's backtracking engine offered no such
// bound: `(a+)+$` is exponential and even `.*.*.*.*x` is polynomial of
// degree five, beyond any cap on the text.
import { NativeTextPattern } from '@switchboard/native';

/** Extra characters redaction reads past maxPromptChars, so a match cut by the cap is still found. */
export const REDACT_MARGIN = 256;

/** A route's `flags` (checked by patternProblem): i, m, s as in JavaScript; u is always on. */
const compile = (pattern: string, flags: string): NativeTextPattern => new NativeTextPattern(pattern, flags.replace('u', ''));

/**
 * Why `pattern` is refused, or undefined when it may be used. Refused: a
 * flag given twice or one other than i, m, s, u; what the regex crate does
 * not compile (backreferences and look-around among it, with the crate's
 * message); and patterns that can match zero characters (`\b`, `^`, `x*`:
 * they would insert the replacement between characters, growing the text).
 */
export function patternProblem(pattern: string, flags: string): string | undefined {
  if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length) {
    return `not a valid set of flags: "${flags}" (each of i, m, s, u at most once)`;
  }
  let re: NativeTextPattern;
  try {
    re = compile(pattern, flags);
  } catch (err) {
    return (err as Error).message;
  }
  if (re.canMatchEmpty)
    return 'the pattern can match zero characters (such as \\b, ^ or x*), so it would insert its replacement everywhere';
  return undefined;
}

export interface Redaction {
  re: NativeTextPattern;
  replacement: string;
}

/** Checked patterns (the plan refused the others) to their compiled form. */
export const compileRedactions = (list: readonly { pattern: string; flags: string; replacement: string }[]): Redaction[] =>
  list.map((r) => ({ re: compile(r.pattern, r.flags), replacement: r.replacement }));

/**
 * `text` with every redaction applied in order; the replacement is literal
 * (no $1). With `maxChars`, each pass's result is cut to that many
 * characters: a replacement longer than its match grows the text, and 32
 * passes of one-character matches replaced by 256 characters would
 * otherwise multiply it past what memory holds.
 */
export function redact(
  text: string,
  redactions: readonly Redaction[],
  maxChars = Number.POSITIVE_INFINITY,
): { text: string; count: number } {
  // UTF-16 code units to UTF-8 bytes: at most three each.
  const maxBytes = Number.isFinite(maxChars) ? Math.min(3 * maxChars, 2 ** 32 - 1) : undefined;
  let count = 0;
  let out = text;
  for (const { re, replacement } of redactions) {
    const done = re.replaceAll(out, replacement, maxBytes);
    out = done.text.length > maxChars ? done.text.slice(0, maxChars) : done.text;
    count += done.count;
  }
  return { text: out, count };
}
