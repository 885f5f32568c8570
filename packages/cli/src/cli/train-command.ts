import { nonNegative, parseOptions, usage, UsageError } from './args.js';
import { wantsCollaboration } from './collaboration-router.js';
import type { Command } from './command.js';
import { routerDataOptions, targetOption } from './router-options.js';
import { embeddingsHelp, embeddingsOption, embeddingsOptions } from './embeddings-option.js';

const options = {
  ...routerDataOptions,
  out: { type: 'string' },
  'no-cv': { type: 'boolean' },
  resamples: { type: 'string' },
  ...embeddingsOptions,
  help: { type: 'boolean', short: 'h' },
} as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a router on scored prompts; writes the router and its model card',
  dataErrors: true,
  help: `Usage:
  switchboard train --data FILE... --router mf|knn|cluster|irt|sw|classifier|random|length
                    --strong MODEL --weak MODEL
                    --out models/NAME [--encoder hashed|sentence|static|remote] [--seed 42] [--no-cv]
                    [--target gain|difficulty]

Train a router on scored prompts (JSON Lines); writes router.json, weights.bin and a
model card (README.md, card.json) with leave-one-dataset-out figures (when the data
holds several datasets), leave-one-source-out figures, both with the random and
length baselines and 95% bootstrap intervals ([--resamples 1000]), and the decision
latency. --router length is the prompt-length baseline as a router.
  --router classifier --labels FIELD [--label-map FILE]
                 a task / complexity classifier on the classes in FIELD (or, with a
                 label map such as data/router/mmlu-families.json, on each row's
                 source mapped to a class); for routing.classifier.router.
  --router predictive [--prices FILE]
                 every model's quality per prompt (Tryage); for routing.predictive.
                 With --prices the card gets the quality-cost figures.
  --encoder hashed,sentence
                 one router per encoder, combined (an ensemble).
  --target gain|difficulty
                 knn, cluster: what they learn per prompt: gain (what the dataset's
                 strongest models win over its middle ones there; knn's default) or
                 difficulty (1 - the middle models' mean score there; cluster's default),
                 docs/routing.md.
  switchboard train --router collaboration --data RUNS.jsonl... --out policy.json
                    [--cost-weight 0] [--min-rows 5]
                 a collaboration plan per task/difficulty context from replayed runs
                 (docs/collaboration.md, "Replay format"), for routing.collaboration.policy:
    --data FILE...     replays (JSON Lines: prompt, plan, quality, cost[, latency_ms,
                       task, difficulty]); only plans run on every prompt are kept
    --out FILE         the policy file (kind collaboration-policy, choices per context)
    --cost-weight λ    the objective is mean quality - λ x cost (US dollars per
                       prompt); default 0 (quality only)
    --min-rows N       contexts with fewer than N prompts take the best plan over
                       every prompt (the policy's fallback); default 5
${embeddingsHelp}
`,
  async run(args, { progress }) {
    if (wantsCollaboration(args)) return (await import('../commands/collaboration-train.js')).collaborationTrain(args, progress);
    const v = parseOptions('train', options, args);
    if (!v.data?.length) throw new UsageError('train needs --data FILE (one or more)');
    const need = (k: 'router' | 'strong' | 'weak' | 'out') => v[k] ?? usage(`train needs --${k}`);
    const router = need('router');
    const pairless = Boolean(v.labels) || router === 'predictive';
    if (v['label-map'] && !v.labels) throw new UsageError('--label-map needs --labels FIELD (the field it fills)');
    const { runTrain } = await import('../commands/route-train.js');
    await runTrain(
      {
        data: v.data,
        router,
        encoder: v.encoder ?? 'hashed',
        strong: pairless ? (v.strong ?? '') : need('strong'),
        weak: pairless ? (v.weak ?? '') : need('weak'),
        seed: nonNegative(v.seed, 42, 'seed'),
        out: need('out'),
        cv: !v['no-cv'],
        resamples: nonNegative(v.resamples, 1000, 'resamples'),
        command: ['switchboard train', ...args].join(' '),
        labels: v.labels,
        labelMap: v['label-map'],
        target: targetOption(v.target, router),
        prices: v.prices,
        embeddings: embeddingsOption(v),
      },
      progress,
    );
  },
};
