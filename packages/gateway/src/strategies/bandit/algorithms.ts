/**
 * Multi-armed bandit policies (PickLLM's choice of backend as an online
 * learning problem), shared by the gateway's bandit strategy and the
 * offline simulation (`switchboard simulate`). Pure functions over arm
 * statistics, so any store (memory, Redis) can hold the state.
 */

import type { ArmStats, BanditState } from '../../learning/state.js';

export { emptyState, type ArmStats, type BanditState } from '../../learning/state.js';

export type BanditAlgorithm = 'epsilon-greedy' | 'ucb1' | 'thompson' | 'automaton';

export interface BanditParams {
  algorithm: BanditAlgorithm;
  epsilon: number;
  /** ucb1: bonus weight; thompson: posterior scale. */
  exploration: number;
  /** automaton: step size. */
  learningRate: number;
}

const mean = (a: ArmStats) => (a.n ? a.sum / a.n : 0);

/** A standard normal sample (Box-Muller) from uniform randomness. */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The index of the largest value; a NaN (statistics broken by absurd rewards) never wins, nor holds index 0. */
function argmax(values: readonly number[]): number {
  let best = 0;
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v > top) [best, top] = [i, v];
  }
  return best;
}

/** The arm to pull now. Arms never tried go first (in order) for the value-based policies. */
export function chooseArm(state: BanditState, p: BanditParams, random: () => number): number {
  const { arms } = state;
  if (p.algorithm === 'automaton') {
    let r = random();
    for (let i = 0; i < state.probs.length; i++) {
      r -= state.probs[i] as number;
      if (r < 0) return i;
    }
    return state.probs.length - 1;
  }
  const untried = arms.findIndex((a) => a.n === 0);
  if (untried >= 0) return untried;
  switch (p.algorithm) {
    case 'epsilon-greedy':
      return random() < p.epsilon ? Math.floor(random() * arms.length) : argmax(arms.map(mean));
    case 'ucb1': {
      const total = arms.reduce((s, a) => s + a.n, 0);
      return argmax(arms.map((a) => mean(a) + p.exploration * Math.sqrt((2 * Math.log(total)) / a.n)));
    }
    case 'thompson':
      // Gaussian posterior on each arm's mean reward: sample, take the best. The reward variance
      // carries one pseudo-observation of 0.25 (a fair coin), so a few identical rewards do not
      // collapse it to zero and stop exploration.
      return argmax(
        arms.map((a) => {
          const m = mean(a);
          const variance = (Math.max(0, a.sumSq - a.n * m * m) + 0.25) / a.n;
          return m + p.exploration * Math.sqrt(variance / a.n) * gaussian(random);
        }),
      );
  }
}

/**
 * PickLLM's learning automaton, linear reward-inaction: the chosen arm's
 * probability moves toward 1 by `rate * beta` (beta in [0, 1] is how good
 * the reward was), the others shrink in proportion; a zero reward changes
 * nothing.
 */
export function automatonUpdate(probs: readonly number[], arm: number, beta: number, rate: number): number[] {
  const step = rate * Math.min(1, Math.max(0, beta));
  return probs.map((pr, i) => (i === arm ? pr + step * (1 - pr) : pr - step * pr));
}

/** Adds one reward to an arm's statistics. */
export function addReward(state: BanditState, arm: number, reward: number): void {
  const a = state.arms[arm] as ArmStats;
  a.n += 1;
  a.sum += reward;
  a.sumSq += reward * reward;
}

export interface RewardWeights {
  quality: number;
  cost: number;
  latency: number;
}

/** PickLLM's reward: w_q * quality - w_c * cost - w_l * ln(latency in seconds). */
export function reward(w: RewardWeights, quality: number, costUsd: number, latencySeconds: number): number {
  return w.quality * quality - w.cost * costUsd - w.latency * Math.log(Math.max(latencySeconds, 1e-3));
}
