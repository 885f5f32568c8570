import { list, nonNegative, parseOptions, seedList, usage, UsageError } from './args.js';
import type { Command } from './command.js';

const options = {
  data: { type: 'string', multiple: true },
  prices: { type: 'string' },
  models: { type: 'string' },
  rounds: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  algorithms: { type: 'string' },
  'quality-weight': { type: 'string' },
  'cost-weight': { type: 'string' },
  epsilon: { type: 'string' },
  exploration: { type: 'string' },
  'learning-rate': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALGORITHMS = ['epsilon-greedy', 'ucb1', 'thompson', 'automaton', 'random'] as const;
type Algorithm = (typeof ALGORITHMS)[number];
const isAlgorithm = (a: string): a is Algorithm => (ALGORITHMS as readonly string[]).includes(a);

export const simulateCommand: Command = {
  name: 'simulate',
  summary: "replay scored prompts as a request stream: each bandit policy's regret",
  dataErrors: true,
  help: `Usage:
  switchboard simulate --data FILE... --prices FILE [--rounds 5000] [--seeds 5] [--seed 42]
                    [--algorithms epsilon-greedy,ucb1,thompson,automaton,random]
                    [--quality-weight 1] [--cost-weight 0] [--epsilon 0.1] [--exploration 1]
                    [--learning-rate 0.1] [--models A,B,...] [--json]

Replays the data as a request stream and prints each bandit policy's cumulative
regret against the best fixed backend in hindsight, averaged over seeds.
`,
  async run(args, { write }) {
    const v = parseOptions('simulate', options, args);
    if (!v.data?.length) throw new UsageError('simulate needs --data FILE (one or more)');
    const algorithms = list(v.algorithms) ?? [...ALGORITHMS];
    const unknown = algorithms.find((a) => !isAlgorithm(a));
    if (unknown !== undefined) throw new UsageError(`unknown algorithm "${unknown}" (known: ${ALGORITHMS.join(', ')})`);
    const { formatSimulation, runSimulation } = await import('../commands/simulate.js');
    const report = runSimulation({
      data: v.data,
      prices: v.prices ?? usage('simulate needs --prices FILE (e.g. data/router/prices.json)'),
      models: list(v.models),
      algorithms: algorithms.filter(isAlgorithm),
      seeds: seedList(v.seed, v.seeds, 5),
      rounds: nonNegative(v.rounds, 5000, 'rounds'),
      weights: {
        quality: nonNegative(v['quality-weight'], 1, 'quality-weight'),
        cost: nonNegative(v['cost-weight'], 0, 'cost-weight'),
      },
      epsilon: nonNegative(v.epsilon, 0.1, 'epsilon'),
      exploration: nonNegative(v.exploration, 1, 'exploration'),
      learningRate: nonNegative(v['learning-rate'], 0.1, 'learning-rate'),
    });
    write(v.json ? `${JSON.stringify(report)}\n` : `${formatSimulation(report)}\n`);
  },
};
