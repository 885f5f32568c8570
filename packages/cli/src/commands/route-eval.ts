import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRouterDir, turnsOf } from '@switchboard/gateway';
import {
  crossValidateEnsembleAsync,
  crossValidateRouterAsync,
  evaluateOracle,
  NativeRouter,
  trainRouterAsync,
  type RouterEvaluation,
} from '@switchboard/native';
import { readDataset, type ScoredPrompt } from '../routing/dataset.js';
import { measure, type Figures } from '../routing/figures.js';
import { measureSources, type SourceResult } from '../routing/by-source.js';
import { byDataset, choosePair, type DatasetPair } from '../routing/pairs.js';
import { plotSvg } from '../routing/plot.js';
import { mean, sd } from '../routing/stats.js';

export interface EvalOptions {
  data: string[];
  /** The pair strong/weak routers train for, and the pair a dataset is measured with where it scores both. */
  strong: string | undefined;
  weak: string | undefined;
  /** A trained router folder (or a name under models/), or with `cv` a router kind to train per fold. */
  router: string;
  cv: 'source' | 'dataset' | undefined;
  /** With `cv`: prompts of each held-out group trained on too (and not scored); default 0. */
  adapt?: number | undefined;
  encoder: string;
  seeds: number[];
  json: boolean;
  scoresOut: string | undefined;
  plot: string | undefined;
  /** Bootstrap resamples for the 95 % intervals. */
  resamples: number;
  /** remote encoder: every prompt's vector (from /v1/embeddings). */
  vectors?: Float32Array | undefined;
  encoderModel?: string | undefined;
  /** knn, cluster trained per fold: what they learn per prompt, `gain` (default) or `difficulty`. */
  target?: string | undefined;
  /** Also measure each source of a dataset (the whole `source`, e.g. llmrouter/gsm8k) on the dataset's pair. */
  bySource?: boolean | undefined;
}

/** RouteLLM's pair: what strong/weak routers train for when no pair is given. */
export const ROUTELLM_PAIR = { strong: 'gpt-4-1106-preview', weak: 'mixtral-8x7b-instruct-v0.1' };

const ROUTER_KINDS = new Set(['mf', 'sw', 'classifier', 'random', 'predictive', 'length', 'knn', 'cluster', 'irt']);

export interface DatasetResult {
  dataset: string;
  /** Prompts scored for both models of the pair. */
  n: number;
  pair: DatasetPair;
  weakMean: number;
  strongMean: number;
  oracle: { apgr: number; cpt50: number; cpt80: number };
  router: Figures;
  random: Figures;
  length: Figures;
  /** With `bySource`: each source of at least SOURCE_MIN_PROMPTS prompts. */
  sources?: SourceResult[];
  /**
   * With `bySource`: the APGR of the router and of length averaged over the
   * sources (gap at least SOURCE_MIN_GAP), each weighted by its gain. Far
   * below the whole dataset's figure, the figure is won by telling the
   * sources apart (which needs the strong model), not the prompts inside one.
   */
  withinSources?: { router: number; length: number };
}

export interface EvalReport {
  router: string;
  encoder: string;
  /** How the scores were made: held out by dataset or source, or a trained router as it is. */
  scheme: 'leave-one-dataset-out' | 'leave-one-source-out' | 'trained router';
  /** Prompts of each held-out group its fold trained on (not scored): the label loop's share. */
  adapt: number;
  trainingPair: { strong: string; weak: string };
  seeds: number[];
  resamples: number;
  datasets: DatasetResult[];
  /** The router's lowest APGR over the datasets (the figure that decides). */
  worst: { dataset: string; apgr: number; gainOverLength: [number, number] | undefined } | undefined;
}

/** Held-out scores of a router kind, one per example (each dataset's pair where the router can score it). */
async function heldOutScores(opts: EvalOptions, kind: string, seed: number, pairs: DatasetPair[]): Promise<number[]> {
  const pair = { strong: opts.strong ?? ROUTELLM_PAIR.strong, weak: opts.weak ?? ROUTELLM_PAIR.weak };
  const base = {
    data: opts.data,
    router: kind,
    ...pair,
    seed,
    ...(opts.cv ? { cv: opts.cv } : {}),
    ...(opts.adapt ? { adapt: opts.adapt } : {}),
    evalPairs: pairs.map(({ dataset, strong, weak }) => ({ dataset, strong, weak })),
    progress: !opts.json,
    ...(opts.vectors ? { vectors: opts.vectors } : {}),
    ...(opts.encoderModel ? { encoderModel: opts.encoderModel } : {}),
    ...(opts.target ? { target: opts.target } : {}),
  };
  // Several encoders (hashed,sentence): an ensemble of one router per encoder.
  const encoders = opts.encoder.split(',');
  return encoders.length > 1
    ? crossValidateEnsembleAsync(encoders.map((encoder) => ({ ...base, encoder })))
    : crossValidateRouterAsync({ ...base, encoder: opts.encoder });
}

/** A trained router's scores, pointed at each dataset's pair where it can score it. */
function trainedScores(dir: string, rows: ScoredPrompt[], groups: Map<string, number[]>, pairs: DatasetPair[]): number[] {
  const router = NativeRouter.load(dir);
  const scores = new Array<number>(rows.length).fill(Number.NaN);
  for (const pair of pairs) {
    let r = router;
    try {
      r = router.withPair(pair.strong, pair.weak);
    } catch {
      // a router that scores only its own pair scores it here too
    }
    const idx = groups.get(pair.dataset) ?? [];
    const picked = idx.map((i) => rows[i] as ScoredPrompt);
    r.scoreMany(
      picked.map((row) => row.prompt),
      picked.map((row) => turnsOf(row.messages)),
    ).forEach((s, k) => (scores[idx[k] as number] = s));
  }
  return scores;
}

/** The random and length baselines: their scores read the text alone, so training data does not change them. */
async function baselineScores(data: string[], rows: ScoredPrompt[]): Promise<{ random: number[]; length: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-baselines-'));
  try {
    const score = async (router: string) => {
      await trainRouterAsync({ data, router, strong: '', weak: '', out: join(dir, router) });
      return NativeRouter.load(join(dir, router)).scoreMany(rows.map((r) => r.prompt));
    };
    return { random: await score('random'), length: await score('length') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  result: DatasetResult;
  evaluation: RouterEvaluation;
  oracle: RouterEvaluation | null;
}

function measureDataset(
  pair: DatasetPair,
  idx: number[],
  rows: ScoredPrompt[],
  runs: number[][],
  baselines: { random: number[]; length: number[] },
  resamples: number,
  bySource = false,
): Measured | undefined {
  // A prompt no fold scored (trained on by --adapt) is left out of every figure, baselines too.
  const scored = runs[0] as number[];
  const keep = idx.filter((i) => {
    const s = (rows[i] as ScoredPrompt).scores;
    return typeof s[pair.strong] === 'number' && typeof s[pair.weak] === 'number' && !Number.isNaN(scored[i]);
  });
  const col = (v: number[]) => keep.map((i) => v[i] as number);
  const strong = keep.map((i) => (rows[i] as ScoredPrompt).scores[pair.strong] as number);
  const weak = keep.map((i) => (rows[i] as ScoredPrompt).scores[pair.weak] as number);
  const length = col(baselines.length);
  const router = measure(col(runs[0] as number[]), strong, weak, resamples, length);
  const random = measure(col(baselines.random), strong, weak, resamples, length);
  const len = measure(length, strong, weak, resamples);
  if (!router || !random || !len) return undefined;
  if (runs.length > 1) {
    const apgrs = runs.map((r) => measure(col(r), strong, weak, 0)?.figures.apgr ?? Number.NaN);
    router.figures.apgrSd = sd(apgrs);
  }
  const oracle = evaluateOracle(strong, weak);
  const sources = bySource ? measureSources(pair, keep, rows, runs[0] as number[], baselines.length, resamples) : undefined;
  return {
    evaluation: router.evaluation,
    oracle,
    result: {
      dataset: pair.dataset,
      n: keep.length,
      pair,
      weakMean: router.evaluation.weakMean,
      strongMean: router.evaluation.strongMean,
      oracle: { apgr: oracle?.apgr ?? NaN, cpt50: oracle?.cpt50 ?? NaN, cpt80: oracle?.cpt80 ?? NaN },
      router: router.figures,
      random: random.figures,
      length: len.figures,
      ...(sources ?? {}),
    },
  };
}

/**
 * Scores every prompt — cross-validated (each dataset or each source held out in turn) or with
 * a trained router — and measures them per dataset, each with its own strong/weak pair, beside
 * the random and length baselines, with bootstrap intervals (RouteLLM's APGR and CPT).
 */
export async function runEval(
  opts: EvalOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ report: EvalReport; scores: number[] }> {
  const rows = readDataset(opts.data);
  const groups = byDataset(rows);
  const given = opts.strong && opts.weak ? { strong: opts.strong, weak: opts.weak } : undefined;
  const pairs = [...groups].flatMap(([d, idx]) => {
    const pair = choosePair(
      d,
      idx.map((i) => rows[i] as ScoredPrompt),
      given,
    );
    return pair ? [pair] : [];
  });
  if (!pairs.length) throw new Error('no dataset in the data scores two models on most of its prompts');
  const runs: number[][] = [];
  if (opts.cv) {
    if (!ROUTER_KINDS.has(opts.router))
      throw new Error(
        `with --cv, --router is a router kind to train per fold (${[...ROUTER_KINDS].join(', ')}), got "${opts.router}"`,
      );
    for (const seed of opts.seeds) {
      log(`leave-one-${opts.cv}-out, router ${opts.router}, encoder ${opts.encoder}, seed ${seed}`);
      runs.push(await heldOutScores(opts, opts.router, seed, pairs));
    }
  } else {
    runs.push(trainedScores(resolveRouterDir(opts.router, undefined), rows, groups, pairs));
  }
  const baselines = await baselineScores(opts.data, rows);
  const measured = pairs.flatMap((p) => {
    const m = measureDataset(p, groups.get(p.dataset) ?? [], rows, runs, baselines, opts.resamples, opts.bySource);
    return m ? [m] : [];
  });
  const datasets = measured.map((m) => m.result);
  const worst = datasets.reduce<DatasetResult | undefined>((w, d) => (!w || d.router.apgr < w.router.apgr ? d : w), undefined);
  const scores = runs[0] as number[];
  if (opts.scoresOut)
    writeFileSync(opts.scoresOut, rows.map((d, i) => JSON.stringify({ id: d.id, score: scores[i] })).join('\n') + '\n');
  const first = measured[0];
  if (opts.plot && first) {
    const p = first.result.pair;
    writeFileSync(opts.plot, plotSvg(`${opts.router} on ${p.dataset}: ${p.strong} vs ${p.weak}`, first.evaluation, first.oracle));
  }
  return {
    scores,
    report: {
      router: opts.router,
      encoder: opts.encoder,
      scheme: opts.cv === 'dataset' ? 'leave-one-dataset-out' : opts.cv === 'source' ? 'leave-one-source-out' : 'trained router',
      adapt: opts.cv ? (opts.adapt ?? 0) : 0,
      trainingPair: { strong: opts.strong ?? ROUTELLM_PAIR.strong, weak: opts.weak ?? ROUTELLM_PAIR.weak },
      seeds: opts.seeds,
      resamples: opts.resamples,
      datasets,
      worst: worst && { dataset: worst.dataset, apgr: worst.router.apgr, gainOverLength: worst.router.gainOverLength },
    },
  };
}

/** The mean APGR over datasets (a summary beside the worst case, never instead of it). */
export const meanApgr = (r: EvalReport): number => mean(r.datasets.map((d) => d.router.apgr));
