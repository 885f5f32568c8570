import { list, nonNegative, parseOptions, seedList, usage, UsageError, type OptionValues } from './args.js';
import { wantsCollaboration } from './collaboration-router.js';
import type { Command } from './command.js';
import { routerDataOptions, targetOption } from './router-options.js';
import { embeddingsHelp, embeddingsOption, embeddingsOptions } from './embeddings-option.js';

const options = {
  ...routerDataOptions,
  cv: { type: 'string' },
  adapt: { type: 'string' },
  resamples: { type: 'string' },
  seeds: { type: 'string' },
  json: { type: 'boolean' },
  'scores-out': { type: 'string' },
  'by-source': { type: 'boolean' },
  plot: { type: 'string' },
  semantic: { type: 'boolean' },
  utterances: { type: 'string' },
  'top-k': { type: 'string' },
  models: { type: 'string' },
  ...embeddingsOptions,
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = OptionValues<typeof options>;

const help = `Usage:
  switchboard eval --data FILE... --router PATH_OR_NAME [--strong MODEL --weak MODEL]
                   [--cv dataset|source [--seeds N] [--adapt N]] [--resamples 1000] [--json]
                   [--scores-out FILE] [--plot FILE.svg] [--target gain|difficulty] [--by-source]
      APGR, CPT(50%), CPT(80%) per dataset (the part of each row's source before "/"),
      with the oracle's and the random and length baselines', and 95% bootstrap
      intervals. Each dataset is measured with its own strong/weak pair: --strong and
      --weak where it scores both, else RouteLLM's gpt-4-1106-preview / Mixtral-8x7B
      where it has them, else its strongest and its median model by mean score.
      --cv dataset trains a router of the named kind without each dataset (and without
      training prompts that duplicate its prompts) and scores all of it: the figure that
      predicts prompts unlike the training data. --cv source holds out each source
      (in-domain). Strong/weak kinds train for --strong/--weak (default RouteLLM's pair);
      knn and cluster learn --target per prompt (train --help). --adapt N trains each
      fold on N prompts of its held-out group as well (a fixed random draw, the same for
      every seed), as the label loop would add the operator's own traffic, and scores the
      rest: how far a few hundred labelled prompts of a new kind carry a router.
      --by-source also measures each source (the whole "source", e.g. llmrouter/gsm8k,
      at least 50 prompts) on its dataset's pair, beside length, and per dataset the
      gain-weighted mean over its sources: whether a figure is won inside the sources
      or by telling them apart.
  switchboard eval --data FILE... --labels FIELD [--label-map FILE] [--semantic]
                   [--encoder hashed|sentence|lexical] [--utterances N] [--top-k 3] [--seeds N]
      Task classification accuracy, leave one source out, and decision latency: a label
      classifier per fold, or (--semantic) semantic routes whose utterances are N
      prompts of each other source.
  switchboard eval --data FILE... --router predictive --prices FILE [--models A,B,...] [--seeds N]
      Quality-cost frontier of predictive routing over N models, leave one source out,
      against the single models, random choice and the oracle; AIQ (RouterBench).
  switchboard eval --router collaboration --data RUNS.jsonl... [--cost-weight 0] [--folds 5]
                   [--min-rows 5] [--seed 42] [--json]
      Collaboration plans on replayed runs (docs/collaboration.md): mean quality, cost and
      quality - λ x cost with 95% bootstrap intervals for each plan, each mode's best, the
      best fixed plan, the built-in prior, the controller trained per fold (as train
      --router collaboration does) and the oracle (the best plan per prompt).
        --data FILE...     replays (JSON Lines: prompt, plan, quality, cost, ...)
        --cost-weight λ    US dollars to quality: the objective quality - λ x cost; default 0
        --folds K          K-fold cross-validation by prompt (at least 2); default 5
        --min-rows N       train's --min-rows for the controller of each fold; default 5
        --seed S           the folds' shuffle and the bootstrap resamples; default 42
        --json             the report as JSON instead of a table
${embeddingsHelp}
`;

async function labelEval(v: Values, data: string[], labels: string, seeds: number[], progress: (l: string) => void) {
  const { formatLabelReport, runLabelEval } = await import('../commands/route-eval-labels.js');
  const semantic = Boolean(v.semantic);
  const report = await runLabelEval(
    {
      data,
      labels,
      labelMap: v['label-map'],
      method: semantic ? 'semantic' : 'classifier',
      encoder: v.encoder ?? (semantic ? 'lexical' : 'hashed'),
      seeds,
      utterancesPerSource: nonNegative(v.utterances, 20, 'utterances'),
      topK: nonNegative(v['top-k'], 3, 'top-k'),
      progress: !v.json,
    },
    progress,
  );
  return v.json ? JSON.stringify(report) : formatLabelReport(report);
}

async function predictiveEval(v: Values, data: string[], seeds: number[], progress: (l: string) => void) {
  const { formatPredictiveReport, runPredictiveEval } = await import('../commands/route-eval-predictive.js');
  const report = await runPredictiveEval(
    {
      data,
      prices: v.prices ?? usage('eval --router predictive needs --prices FILE (e.g. data/router/prices.json)'),
      encoder: v.encoder ?? 'hashed',
      seeds,
      models: list(v.models),
      progress: !v.json,
    },
    progress,
  );
  return v.json ? JSON.stringify(report) : formatPredictiveReport(report);
}

async function pairEval(v: Values, data: string[], seeds: number[], progress: (l: string) => void): Promise<string> {
  const [{ runEval }, { formatReport }, { remoteVectors }] = await Promise.all([
    import('../commands/route-eval.js'),
    import('../routing/eval-table.js'),
    import('../commands/route-train.js'),
  ]);
  if (v.cv !== undefined && v.cv !== 'source' && v.cv !== 'dataset')
    throw new UsageError('--cv takes "dataset" (leave one dataset out) or "source" (leave one source out)');
  const embeddings = embeddingsOption(v);
  const adapt = adaptOption(v.adapt, v.cv);
  const { report } = await runEval(
    {
      data,
      strong: v.strong,
      weak: v.weak,
      router: v.router ?? usage('eval needs --router PATH_OR_NAME (or a router kind with --cv source)'),
      cv: v.cv,
      adapt,
      resamples: nonNegative(v.resamples, 1000, 'resamples'),
      encoder: v.encoder ?? 'hashed',
      seeds,
      json: Boolean(v.json),
      scoresOut: v['scores-out'],
      bySource: Boolean(v['by-source']),
      plot: v.plot,
      vectors: embeddings ? await remoteVectors(data, embeddings, progress) : undefined,
      encoderModel: embeddings?.model,
      target: v.cv ? targetOption(v.target, v.router) : noTarget(v.target),
    },
    progress,
  );
  return v.json ? JSON.stringify(report) : formatReport(report);
}

/** --adapt N: a whole number of prompts, and only where folds are trained. */
function adaptOption(value: string | undefined, cv: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--adapt must be a whole number of prompts, got "${value}"`);
  if (!cv) throw new UsageError('--adapt needs --cv (it moves prompts of each held-out group into its training side)');
  return n;
}

/** A trained router learnt its target when it was trained: --target only means something with --cv. */
function noTarget(target: string | undefined): undefined {
  if (target !== undefined) throw new UsageError('--target needs --cv (a router kind trained per fold)');
  return undefined;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'measure routers: APGR/CPT, task classification, the quality-cost frontier',
  dataErrors: true,
  help,
  async run(args, { progress, write }) {
    if (wantsCollaboration(args)) {
      const { collaborationEval } = await import('../commands/collaboration-eval.js');
      return write(`${await collaborationEval(args)}\n`);
    }
    const v = parseOptions('eval', options, args);
    if (!v.data?.length) throw new UsageError('eval needs --data FILE (one or more)');
    const seeds = seedList(v.seed, v.seeds, 1);
    if (v['by-source'] && (v.labels || v.router === 'predictive'))
      throw new UsageError('--by-source measures a strong/weak router per source: not with --labels or --router predictive');
    let out: string;
    if (v.labels) out = await labelEval(v, v.data, v.labels, seeds, progress);
    else if (v.router === 'predictive') out = await predictiveEval(v, v.data, seeds, progress);
    else out = await pairEval(v, v.data, seeds, progress);
    write(`${out}\n`);
  },
};
