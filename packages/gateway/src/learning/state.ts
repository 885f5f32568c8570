// A bandit learner's statistics: what the learning stores keep (memory or
// Redis) and the policies in strategies/bandit/algorithms.ts read.

/** Rewards seen for one arm: count, sum and sum of squares. */
export interface ArmStats {
  n: number;
  sum: number;
  sumSq: number;
}

export interface BanditState {
  arms: ArmStats[];
  /** automaton: the probability of choosing each arm (uniform until learned). */
  probs: number[];
}

export function emptyState(arms: number): BanditState {
  return {
    arms: Array.from({ length: arms }, () => ({ n: 0, sum: 0, sumSq: 0 })),
    probs: Array.from({ length: arms }, () => 1 / arms),
  };
}
