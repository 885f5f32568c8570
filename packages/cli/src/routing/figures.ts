import { bootstrapEvaluation, evaluateRouter, type RouterEvaluation } from '@switchboard/native';

/** A router's figures on one dataset and pair, with 95 % bootstrap intervals. */
export interface Figures {
  apgr: number;
  cpt50: number;
  cpt80: number;
  apgrCi: [number, number];
  cpt50Ci: [number, number];
  cpt80Ci: [number, number];
  /** APGR minus the length baseline's, paired on the same resamples. */
  gainOverLength?: [number, number];
  /** Several seeds: the standard deviation of the APGR across them. */
  apgrSd?: number;
}

/** Resamples are drawn from this seed for every router, so their intervals are paired. */
export const BOOTSTRAP_SEED = 7;

/** RouteLLM's figures for `scores` and their bootstrap intervals (`lengthScores`: the paired gain over length). */
export function measure(
  scores: number[],
  strong: number[],
  weak: number[],
  resamples: number,
  lengthScores?: number[],
): { figures: Figures; evaluation: RouterEvaluation } | undefined {
  const evaluation = evaluateRouter(scores, strong, weak);
  if (!evaluation) return undefined;
  const b = bootstrapEvaluation(scores, strong, weak, resamples, BOOTSTRAP_SEED, lengthScores);
  const ci = (i: { lo: number; hi: number } | undefined, point: number): [number, number] => (i ? [i.lo, i.hi] : [point, point]);
  return {
    evaluation,
    figures: {
      apgr: evaluation.apgr,
      cpt50: evaluation.cpt50,
      cpt80: evaluation.cpt80,
      apgrCi: ci(b?.apgr, evaluation.apgr),
      cpt50Ci: ci(b?.cpt50, evaluation.cpt50),
      cpt80Ci: ci(b?.cpt80, evaluation.cpt80),
      ...(lengthScores && b?.apgrGain ? { gainOverLength: [b.apgrGain.lo, b.apgrGain.hi] as [number, number] } : {}),
    },
  };
}
