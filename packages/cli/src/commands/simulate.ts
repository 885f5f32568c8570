import { addReward, automatonUpdate, chooseArm, emptyState, type BanditAlgorithm, type BanditParams } from '@switchboard/gateway';
import { costMatrix, readPrices } from '../routing/costs.js';
import { readDataset } from '../routing/dataset.js';
import { mean, sd, seeded } from '../routing/stats.js';

export interface SimulateOptions {
  data: string[];
  prices: string;
  models: string[] | undefined;
  algorithms: (BanditAlgorithm | 'random')[];
  seeds: number[];
  rounds: number;
  weights: { quality: number; cost: number };
  epsilon: number;
  exploration: number;
  learningRate: number;
}

export interface SimulationRow {
  algorithm: string;
  /** Cumulative regret against the best fixed backend in hindsight, mean and sd over seeds. */
  regret: number;
  regretSd: number;
  /** Regret after a quarter and half of the rounds (mean over seeds). */
  regretQuarter: number;
  regretHalf: number;
  meanReward: number;
  /** Share of rounds that picked the best fixed backend. */
  bestArmShare: number;
}

export interface SimulationReport {
  rounds: number;
  models: string[];
  bestArm: string;
  weights: { quality: number; cost: number };
  rows: SimulationRow[];
  seeds: number[];
}

/**
 * Replays a scored dataset as a stream of requests (prompts drawn at random,
 * seeded) and lets each bandit policy pick a backend per request, rewarded
 * with PickLLM's reward from the dataset's quality and the answer's cost
 * (prices file); prints cumulative regret against the best fixed backend in
 * hindsight on the same stream. The data has no latencies, so the latency
 * term is not simulated.
 */
export function runSimulation(opts: SimulateOptions): SimulationReport {
  const data = readDataset(opts.data);
  const scored = Object.keys(data[0]?.scores ?? {}).filter((m) => data.every((d) => typeof d.scores[m] === 'number'));
  const models = opts.models ?? scored;
  const cost = costMatrix(data, models, readPrices(opts.prices));
  const rewards = data.map((d, i) =>
    models.map((m, k) => opts.weights.quality * (d.scores[m] as number) - opts.weights.cost * (cost[i]?.[k] as number)),
  );
  const results = new Map<string, { regret: number[]; quarter: number[]; half: number[]; reward: number[]; best: number[] }>();
  let bestArmName = '';
  for (const seed of opts.seeds) {
    const draw = seeded(seed);
    const stream = Array.from({ length: opts.rounds }, () => Math.floor(draw() * data.length));
    const totals = models.map((_, k) => stream.reduce((s, i) => s + (rewards[i]?.[k] as number), 0));
    const bestArm = totals.indexOf(Math.max(...totals));
    bestArmName = models[bestArm] as string;
    for (const algorithm of opts.algorithms) {
      const random = seeded(seed * 7919 + algorithm.length);
      const params: BanditParams = {
        algorithm: algorithm === 'random' ? 'epsilon-greedy' : algorithm,
        epsilon: algorithm === 'random' ? 1 : opts.epsilon,
        exploration: opts.exploration,
        learningRate: opts.learningRate,
      };
      const state = emptyState(models.length);
      let regret = 0;
      let got = 0;
      let bestPicks = 0;
      const marks: number[] = [];
      stream.forEach((i, t) => {
        const arm = algorithm === 'random' ? Math.floor(random() * models.length) : chooseArm(state, params, random);
        const r = rewards[i]?.[arm] as number;
        addReward(state, arm, r);
        if (algorithm === 'automaton')
          state.probs = automatonUpdate(
            state.probs,
            arm,
            opts.weights.quality > 0 ? r / opts.weights.quality : 0,
            opts.learningRate,
          );
        regret += (rewards[i]?.[bestArm] as number) - r;
        got += r;
        if (arm === bestArm) bestPicks++;
        if (t + 1 === Math.floor(opts.rounds / 4) || t + 1 === Math.floor(opts.rounds / 2)) marks.push(regret);
      });
      const row = results.get(algorithm) ?? { regret: [], quarter: [], half: [], reward: [], best: [] };
      row.regret.push(regret);
      row.quarter.push(marks[0] ?? NaN);
      row.half.push(marks[1] ?? NaN);
      row.reward.push(got / opts.rounds);
      row.best.push(bestPicks / opts.rounds);
      results.set(algorithm, row);
    }
  }
  return {
    rounds: opts.rounds,
    models,
    bestArm: bestArmName,
    weights: opts.weights,
    seeds: opts.seeds,
    rows: [...results.entries()].map(([algorithm, r]) => ({
      algorithm,
      regret: mean(r.regret),
      regretSd: sd(r.regret),
      regretQuarter: mean(r.quarter),
      regretHalf: mean(r.half),
      meanReward: mean(r.reward),
      bestArmShare: mean(r.best),
    })),
  };
}

export function formatSimulation(r: SimulationReport): string {
  const lines = [
    `${r.rounds} rounds, ${r.models.length} backends, reward = ${r.weights.quality} * quality - ${r.weights.cost} * cost ($), ${r.seeds.length} seeds`,
    `best fixed backend in hindsight: ${r.bestArm}`,
    `algorithm        regret@T/4   regret@T/2   regret@T (± sd)        mean reward  best-arm share`,
  ];
  for (const row of r.rows) {
    lines.push(
      `${row.algorithm.padEnd(16)} ${row.regretQuarter.toFixed(1).padStart(10)}   ${row.regretHalf.toFixed(1).padStart(10)}   ${`${row.regret.toFixed(1)} ± ${row.regretSd.toFixed(1)}`.padEnd(22)} ${row.meanReward.toFixed(4).padStart(11)}  ${(row.bestArmShare * 100).toFixed(1).padStart(6)}%`,
    );
  }
  return lines.join('\n');
}
