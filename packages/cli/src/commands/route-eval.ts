import { writeFileSync } from 'node:fs';
import { resolveRouterDir } from '@switchboard/gateway';
import {
  crossValidateEnsembleAsync,
  crossValidateRouterAsync,
  evaluateOracle,
  evaluateRouter,
  NativeRouter,
  type RouterEvaluation,
} from '@switchboard/native';
import { readDataset, scoresOf } from '../routing/dataset.js';
import { plotSvg } from '../routing/plot.js';
import { mean, sd } from '../routing/stats.js';

export interface EvalOptions {
  data: string[];
  strong: string;
  weak: string;
  /** A trained router folder (or a name under models/), or with `cv` a router kind to train per fold. */
  router: string;
  cv: 'source' | undefined;
  encoder: string;
  seeds: number[];
  json: boolean;
  scoresOut: string | undefined;
  plot: string | undefined;
  /** remote encoder: every prompt's vector (from /v1/embeddings). */
  vectors?: Float32Array | undefined;
  encoderModel?: string | undefined;
}

const ROUTER_KINDS = new Set(['mf', 'sw', 'classifier', 'random']);

export interface EvalReport {
  n: number;
  weakMean: number;
  strongMean: number;
  router: { apgr: number; cpt50: number; cpt80: number; apgrSd?: number; seeds?: number[] };
  oracle: { apgr: number; cpt50: number; cpt80: number };
}

/** Scores every prompt (cross-validated or with a trained router) and measures them (RouteLLM's APGR and CPT). */
export async function runEval(
  opts: EvalOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ report: EvalReport; evaluation: RouterEvaluation; scores: number[] }> {
  const all = readDataset(opts.data);
  // Only prompts scored for both models measure this pair (a mixed dataset may hold others).
  const keep = all.map((d) => typeof d.scores[opts.strong] === 'number' && typeof d.scores[opts.weak] === 'number');
  const data = all.filter((_, i) => keep[i]);
  if (!data.length) throw new Error(`no prompt in the data is scored for both "${opts.strong}" and "${opts.weak}"`);
  const strong = scoresOf(data, opts.strong);
  const weak = scoresOf(data, opts.weak);
  const runs: number[][] = [];
  if (opts.cv) {
    if (!ROUTER_KINDS.has(opts.router))
      throw new Error(
        `with --cv, --router is a router kind to train per fold (mf, sw, classifier, random), got "${opts.router}"`,
      );
    for (const seed of opts.seeds) {
      log(`leave-one-${opts.cv}-out, router ${opts.router}, encoder ${opts.encoder}, seed ${seed}`);
      const base = {
        data: opts.data,
        router: opts.router,
        strong: opts.strong,
        weak: opts.weak,
        seed,
        progress: !opts.json,
        ...(opts.vectors ? { vectors: opts.vectors } : {}),
        ...(opts.encoderModel ? { encoderModel: opts.encoderModel } : {}),
      };
      // Several encoders (hashed,sentence): an ensemble of one router per encoder.
      const encoders = opts.encoder.split(',');
      const cvScores =
        encoders.length > 1
          ? await crossValidateEnsembleAsync(encoders.map((encoder) => ({ ...base, encoder })))
          : await crossValidateRouterAsync({ ...base, encoder: opts.encoder });
      runs.push(cvScores.filter((_, k) => keep[k]));
    }
  } else {
    const router = NativeRouter.load(resolveRouterDir(opts.router, undefined)).withPair(opts.strong, opts.weak);
    runs.push(router.scoreMany(data.map((d) => d.prompt)));
  }
  const evaluations = runs.map((scores) => {
    const e = evaluateRouter(scores, strong, weak);
    if (!e)
      throw new Error(`"${opts.strong}" and "${opts.weak}" have the same mean score on this data: there is no gap to recover`);
    return e;
  });
  const oracle = evaluateOracle(strong, weak);
  const first = evaluations[0] as RouterEvaluation;
  const report: EvalReport = {
    n: data.length,
    weakMean: first.weakMean,
    strongMean: first.strongMean,
    router: {
      apgr: mean(evaluations.map((e) => e.apgr)),
      cpt50: mean(evaluations.map((e) => e.cpt50)),
      cpt80: mean(evaluations.map((e) => e.cpt80)),
      ...(evaluations.length > 1 ? { apgrSd: sd(evaluations.map((e) => e.apgr)), seeds: opts.seeds } : {}),
    },
    oracle: { apgr: oracle?.apgr ?? NaN, cpt50: oracle?.cpt50 ?? NaN, cpt80: oracle?.cpt80 ?? NaN },
  };
  const scores = runs[0] as number[];
  if (opts.scoresOut)
    writeFileSync(opts.scoresOut, data.map((d, i) => JSON.stringify({ id: d.id, score: scores[i] })).join('\n') + '\n');
  if (opts.plot) writeFileSync(opts.plot, plotSvg(`${opts.router}: ${opts.strong} vs ${opts.weak}`, first, oracle));
  return { report, evaluation: first, scores };
}

export function formatReport(r: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const apgr =
    r.router.apgrSd !== undefined
      ? `${r.router.apgr.toFixed(3)} ± ${r.router.apgrSd.toFixed(3)} (${r.router.seeds?.length} seeds)`
      : r.router.apgr.toFixed(3);
  return [
    `n             ${r.n}`,
    `weak mean     ${r.weakMean.toFixed(4)}`,
    `strong mean   ${r.strongMean.toFixed(4)}`,
    `              router          oracle`,
    `APGR          ${apgr.padEnd(16)}${r.oracle.apgr.toFixed(3)}`,
    `CPT(50%)      ${pct(r.router.cpt50).padEnd(16)}${pct(r.oracle.cpt50)}`,
    `CPT(80%)      ${pct(r.router.cpt80).padEnd(16)}${pct(r.oracle.cpt80)}`,
  ].join('\n');
}
