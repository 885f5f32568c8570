import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: reported in one line, with where to find the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function usage(message: string): never {
  throw new UsageError(message);
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

type OptionValue<S> = S extends { type: 'boolean' }
  ? S extends { multiple: true }
    ? boolean[]
    : boolean
  : S extends { multiple: true }
    ? string[]
    : string;

/** What `parseOptions` returns for a table of options (each one may be absent). */
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: OptionValue<O[K]> | undefined };

/**
 * A command's own options, strictly: an option the command does not take is
 * a usage error naming the ones it does.
 */
export function parseOptions<const O extends OptionSpecs>(command: string, options: O, args: string[]): OptionValues<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const known = Object.keys(options)
      .map((o) => `--${o}`)
      .join(', ');
    const what = err instanceof Error ? err.message.split('\n')[0]?.replace(/\.$/, '') : String(err);
    throw new UsageError(`${what}; ${command} takes ${known}`);
  }
}

/** A non-negative number option, or its default. */
export function nonNegative(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

/** `--seed S --seeds N`: the seeds S, S+1, ..., S+N-1. */
export function seedList(seed: string | undefined, seeds: string | undefined, defaultCount: number): number[] {
  const count = nonNegative(seeds, defaultCount, 'seeds');
  const first = nonNegative(seed, 42, 'seed');
  return Array.from({ length: Math.max(1, count) }, (_, i) => first + i);
}

/** A comma-separated list option. */
export function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
