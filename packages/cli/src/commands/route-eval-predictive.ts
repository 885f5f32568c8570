import { crossValidateOutputsAsync } from '@switchboard/native';
import { costMatrix, readPrices } from '../routing/costs.js';
import { readDataset } from '../routing/dataset.js';
import { aiq, frontier, qualityAt, type Point } from '../routing/frontier.js';
import { mean, sd } from '../routing/stats.js';

export interface PredictiveEvalOptions {
  data: string[];
  prices: string;
  encoder: string;
  seeds: number[];
  /** Restrict to these models (default: every model scored on every prompt). */
  models: string[] | undefined;
  progress: boolean;
}

export interface PredictiveReport {
  n: number;
  models: string[];
  costRange: [number, number];
  bestSingle: Point & { model: string };
  cheapestSingle: Point & { model: string };
  random: Point;
  /** AIQ of each policy over the cost range of the single models. */
  aiq: { predictive: number; predictiveSd: number; singleModels: number; oracle: number };
  /** The same over [cheapest single model's cost, best single model's cost]: the budgets where routing matters. */
  aiqToBest: { predictive: number; singleModels: number; oracle: number };
  /** The predictive router's quality at the best single model's cost, and the cost it needs to match its quality. */
  atBestSingleCost: number | undefined;
  costToMatchBestSingle: number | undefined;
  frontier: Point[];
  seeds: number[];
}

/** Cost weights swept to trace each policy's quality-cost curve (quality points per dollar). */
const LAMBDAS = [0, ...Array.from({ length: 61 }, (_, i) => 10 ** (-1 + i * 0.125))];

/** Per-prompt choice maximising predicted quality - lambda * cost, averaged into one operating point. */
function operatingPoint(
  pred: Float64Array | number[],
  width: number,
  quality: number[][],
  cost: number[][],
  lambda: number,
): Point {
  let q = 0;
  let c = 0;
  for (let i = 0; i < quality.length; i++) {
    let best = 0;
    let bestU = -Infinity;
    for (let m = 0; m < width; m++) {
      const u = (pred[i * width + m] as number) - lambda * (cost[i]?.[m] as number);
      if (u > bestU) {
        bestU = u;
        best = m;
      }
    }
    q += quality[i]?.[best] as number;
    c += cost[i]?.[best] as number;
  }
  return { cost: c / quality.length, quality: q / quality.length };
}

/**
 * Tryage-style evaluation on N models: leave-one-source-out quality
 * predictions, then for each cost weight every prompt goes to the model with
 * the best predicted quality minus weighted cost. Compared with the single
 * models (and mixtures of them), uniform random choice, and the oracle (true
 * qualities); AIQ is RouterBench's area under the quality-cost frontier.
 */
export async function runPredictiveEval(opts: PredictiveEvalOptions, log: (line: string) => void): Promise<PredictiveReport> {
  const data = readDataset(opts.data);
  const prices = readPrices(opts.prices);
  const scored = Object.keys(data[0]?.scores ?? {}).filter((m) => data.every((d) => typeof d.scores[m] === 'number'));
  const models = opts.models ?? scored;
  for (const m of models) if (!scored.includes(m)) throw new Error(`model "${m}" is not scored on every prompt`);
  const quality = data.map((d) => models.map((m) => d.scores[m] as number));
  const cost = costMatrix(data, models, prices);
  const n = data.length;
  const singles = models.map((model, m) => ({
    model,
    cost: mean(cost.map((r) => r[m] as number)),
    quality: mean(quality.map((r) => r[m] as number)),
  }));
  const lo = Math.min(...singles.map((s) => s.cost));
  const hi = Math.max(...singles.map((s) => s.cost));
  const bestSingle = singles.reduce((a, b) => (b.quality > a.quality ? b : a));
  const cheapestSingle = singles.reduce((a, b) => (b.cost < a.cost ? b : a));
  const random = { cost: mean(singles.map((s) => s.cost)), quality: mean(singles.map((s) => s.quality)) };

  const runs: { aiq: number; aiqToBest: number; points: Point[] }[] = [];
  for (const seed of opts.seeds) {
    log(`leave-one-source-out quality predictions, encoder ${opts.encoder}, seed ${seed}`);
    const cv = await crossValidateOutputsAsync({
      data: opts.data,
      router: 'predictive',
      encoder: opts.encoder,
      strong: '',
      weak: '',
      seed,
      progress: opts.progress,
    });
    // The router's output order is its own model list; keep the evaluated models, in our order.
    const columns = models.map((m) => cv.names.indexOf(m));
    const pred = new Float64Array(n * models.length);
    for (let i = 0; i < n; i++)
      columns.forEach((col, m) => (pred[i * models.length + m] = cv.values[i * cv.width + col] as number));
    const points = LAMBDAS.map((l) => operatingPoint(pred, models.length, quality, cost, l));
    runs.push({ aiq: aiq(points, lo, hi), aiqToBest: aiq(points, lo, bestSingle.cost), points });
  }
  const truth = Float64Array.from(quality.flat());
  const oraclePoints = LAMBDAS.map((l) => operatingPoint(truth, models.length, quality, cost, l));
  const hull = frontier((runs[0] as { points: Point[] }).points);
  const atBestSingleCost = qualityAt(hull, bestSingle.cost);
  const matching = hull.find((p) => p.quality >= bestSingle.quality);
  return {
    n,
    models,
    costRange: [lo, hi],
    bestSingle,
    cheapestSingle,
    random,
    aiq: {
      predictive: mean(runs.map((r) => r.aiq)),
      predictiveSd: sd(runs.map((r) => r.aiq)),
      singleModels: aiq(singles, lo, hi),
      oracle: aiq(oraclePoints, lo, hi),
    },
    aiqToBest: {
      predictive: mean(runs.map((r) => r.aiqToBest)),
      singleModels: aiq(singles, lo, bestSingle.cost),
      oracle: aiq(oraclePoints, lo, bestSingle.cost),
    },
    atBestSingleCost,
    costToMatchBestSingle: matching?.cost,
    frontier: hull,
    seeds: opts.seeds,
  };
}

export function formatPredictiveReport(r: PredictiveReport): string {
  const $ = (x: number | undefined) =>
    x === undefined ? 'n/a' : `$${(x * 1000).toFixed(3)}/1k prompts`.replace('/1k prompts', ' per 1k');
  const q = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(4));
  return [
    `n                      ${r.n} prompts, ${r.models.length} models`,
    `cost range             ${$(r.costRange[0])} .. ${$(r.costRange[1])}`,
    `best single model      ${r.bestSingle.model}: quality ${q(r.bestSingle.quality)} at ${$(r.bestSingle.cost)}`,
    `cheapest single model  ${r.cheapestSingle.model}: quality ${q(r.cheapestSingle.quality)} at ${$(r.cheapestSingle.cost)}`,
    `random model           quality ${q(r.random.quality)} at ${$(r.random.cost)}`,
    `AIQ predictive         ${q(r.aiq.predictive)}${r.seeds.length > 1 ? ` ± ${q(r.aiq.predictiveSd)} (${r.seeds.length} seeds)` : ''}`,
    `AIQ single models      ${q(r.aiq.singleModels)} (mixtures of whole models, no per-prompt routing)`,
    `AIQ oracle             ${q(r.aiq.oracle)}`,
    `AIQ up to the best single model's cost: predictive ${q(r.aiqToBest.predictive)}, single models ${q(r.aiqToBest.singleModels)}, oracle ${q(r.aiqToBest.oracle)}`,
    `predictive at the best single model's cost: quality ${q(r.atBestSingleCost)}`,
    `cost to match the best single model's quality: ${r.costToMatchBestSingle === undefined ? 'not reached' : $(r.costToMatchBestSingle)}`,
  ].join('\n');
}
