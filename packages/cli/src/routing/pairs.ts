import type { ScoredPrompt } from './dataset.js';

/** The dataset a source belongs to: the part before its `/` (as router-core's `dataset_of`). */
export const datasetOf = (source: string): string => source.split('/')[0] ?? source;

/** Rows grouped by dataset, in first-seen order; each row keeps its index in `rows`. */
export function byDataset(rows: readonly ScoredPrompt[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const d = datasetOf(r.source);
    const list = groups.get(d) ?? [];
    list.push(i);
    groups.set(d, list);
  });
  return groups;
}

export interface DatasetPair {
  dataset: string;
  strong: string;
  weak: string;
  /** Why these two: given, the RouteLLM model, strongest by mean, median by mean. */
  why: { strong: string; weak: string };
}

/** A model counts for a dataset when it is scored on at least this share of its rows. */
const COVERAGE = 0.9;
// RouteLLM's pair, in the spellings of the different files (gpt4_1106_preview, mistralai/Mixtral-...).
const canonical = (m: string) =>
  (m.split('/').pop() ?? m)
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/^gpt4-/, 'gpt-4-');
const isRouteLlmStrong = (m: string) => canonical(m) === 'gpt-4-1106-preview';
const isRouteLlmWeak = (m: string) => canonical(m).startsWith('mixtral-8x7b-instruct-v0.1');

/**
 * The strong/weak pair a dataset is measured with. Among the models scored on
 * at least 90 % of its rows: strong is RouteLLM's gpt-4-1106-preview where the
 * dataset has it, else the model with the highest mean score; weak is
 * RouteLLM's Mixtral-8x7B-Instruct (any spelling; the plain one before
 * variants) where the dataset has it, else the model at the median of the
 * mean scores (lower median) — a mid-range model, neither the best nor a
 * broken one. `given` (both scored on the dataset) overrides the rule.
 */
export function choosePair(
  dataset: string,
  rows: readonly ScoredPrompt[],
  given?: { strong: string; weak: string },
): DatasetPair | undefined {
  const counts = new Map<string, { n: number; sum: number }>();
  for (const r of rows)
    for (const [m, s] of Object.entries(r.scores)) {
      const c = counts.get(m) ?? { n: 0, sum: 0 };
      c.n++;
      c.sum += s;
      counts.set(m, c);
    }
  if (given && counts.has(given.strong) && counts.has(given.weak))
    return { dataset, ...given, why: { strong: 'given', weak: 'given' } };
  const covered = [...counts]
    .filter(([, c]) => c.n >= COVERAGE * rows.length)
    .map(([model, c]) => ({ model, mean: c.sum / c.n }))
    .sort((a, b) => b.mean - a.mean || a.model.localeCompare(b.model));
  const [best, second] = covered;
  if (!best || !second) return undefined;
  const routeLlmStrong = covered.find((c) => isRouteLlmStrong(c.model));
  const strong = routeLlmStrong ?? best;
  const others = covered.filter((c) => c.model !== strong.model);
  const mixtrals = others.filter((c) => isRouteLlmWeak(c.model)).sort((a, b) => a.model.length - b.model.length);
  const median = covered[Math.floor(covered.length / 2)] ?? second;
  const weak = mixtrals[0] ?? (median.model === strong.model ? (others[0] ?? second) : median);
  return {
    dataset,
    strong: strong.model,
    weak: weak.model,
    why: {
      strong: routeLlmStrong ? 'RouteLLM strong model' : 'highest mean score',
      weak: mixtrals[0] ? 'RouteLLM weak model' : 'median mean score',
    },
  };
}
