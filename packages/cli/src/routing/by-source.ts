import type { ScoredPrompt } from './dataset.js';
import { measure, type Figures } from './figures.js';
import type { DatasetPair } from './pairs.js';

// `eval --by-source`: a dataset's figures split by the whole `source` of its rows
// (llmrouter/gsm8k, mmlu/astronomy ...), to tell a figure won inside the sources
// from one won by telling them apart (docs/routing.md, "Where the figures come from").

/** Sources with fewer prompts of their dataset's pair are not measured on their own. */
export const SOURCE_MIN_PROMPTS = 50;
/**
 * A source whose strong model beats its weak one by less than this a prompt
 * is listed but left out of the within-source mean: APGR divides by that gap,
 * so there it is noise (figures like -1 or 3).
 */
export const SOURCE_MIN_GAP = 0.05;

/** One source of a dataset, measured on the dataset's pair. */
export interface SourceResult {
  source: string;
  n: number;
  /** The strong model's mean score minus the weak one's. */
  gap: number;
  /** The source's part of its dataset's strong-minus-weak total. */
  gainShare: number;
  router: Figures;
  length: Figures;
}

/** Each source of a dataset on the dataset's pair, and the gain-weighted mean over them. */
export function measureSources(
  pair: DatasetPair,
  keep: number[],
  rows: ScoredPrompt[],
  scores: number[],
  length: number[],
  resamples: number,
): { sources: SourceResult[]; withinSources?: { router: number; length: number } } {
  const gainOf = (i: number) => {
    const s = (rows[i] as ScoredPrompt).scores;
    return (s[pair.strong] as number) - (s[pair.weak] as number);
  };
  const total = keep.reduce((sum, i) => sum + gainOf(i), 0);
  const bySource = new Map<string, number[]>();
  for (const i of keep) {
    const source = (rows[i] as ScoredPrompt).source;
    let idx = bySource.get(source);
    if (!idx) bySource.set(source, (idx = []));
    idx.push(i);
  }
  const sources: SourceResult[] = [];
  let weight = 0;
  const within = { router: 0, length: 0 };
  for (const [source, idx] of [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (idx.length < SOURCE_MIN_PROMPTS) continue;
    const col = (v: number[]) => idx.map((i) => v[i] as number);
    const strong = idx.map((i) => (rows[i] as ScoredPrompt).scores[pair.strong] as number);
    const weak = idx.map((i) => (rows[i] as ScoredPrompt).scores[pair.weak] as number);
    const len = col(length);
    const router = measure(col(scores), strong, weak, resamples, len);
    const byLength = measure(len, strong, weak, resamples);
    if (!router || !byLength) continue; // the pair ties on every prompt of the source
    const gain = idx.reduce((sum, i) => sum + gainOf(i), 0);
    const gap = gain / idx.length;
    sources.push({
      source,
      n: idx.length,
      gap,
      gainShare: total ? gain / total : 0,
      router: router.figures,
      length: byLength.figures,
    });
    if (gap >= SOURCE_MIN_GAP) {
      weight += gain;
      within.router += gain * router.figures.apgr;
      within.length += gain * byLength.figures.apgr;
    }
  }
  return weight > 0
    ? { sources, withinSources: { router: within.router / weight, length: within.length / weight } }
    : { sources };
}
