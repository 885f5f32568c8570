import { basename } from 'node:path';
import { EmbeddingsClient } from '@switchboard/gateway';
import { NativeRouter, trainEnsembleAsync, trainRouterAsync, type RouterMetadata } from '@switchboard/native';
import { readDataset } from '../routing/dataset.js';
import { labelledFiles } from '../routing/labels.js';
import { decisionLatency } from '../routing/latency.js';
import { writeCard, type CardFigures } from '../routing/model-card.js';
import { byDataset } from '../routing/pairs.js';
import { runLabelEval } from './route-eval-labels.js';
import { runPredictiveEval } from './route-eval-predictive.js';
import { runEval, type EvalOptions } from './route-eval.js';

export interface TrainOptions {
  data: string[];
  router: string;
  encoder: string;
  strong: string;
  weak: string;
  seed: number;
  out: string;
  /** Cross-validated figures for the model card: by dataset (several datasets) and by source. */
  cv: boolean;
  /** Bootstrap resamples for the card's intervals. */
  resamples?: number | undefined;
  /** The command line, recorded in the card so the figures can be rerun. */
  command?: string | undefined;
  /** classifier: train on the classes in this field (with `labelMap`: derived from each row's source). */
  labels?: string | undefined;
  labelMap?: string | undefined;
  /** predictive: a prices file, for the card's leave-one-source-out quality-cost figures. */
  prices?: string | undefined;
  /** knn, cluster: what they learn per prompt, `gain` (default) or `difficulty`. */
  target?: string | undefined;
  /** remote encoder: the OpenAI-compatible embeddings server. */
  embeddings?: { endpoint: string; model: string; apiKey: string | undefined } | undefined;
}

/** Every prompt of the files embedded by the remote encoder, row-major. */
export async function remoteVectors(
  files: string[],
  e: NonNullable<TrainOptions['embeddings']>,
  log: (line: string) => void,
): Promise<Float32Array> {
  const client = new EmbeddingsClient({
    endpoint: e.endpoint,
    model: e.model,
    apiKey: e.apiKey,
    dimensions: undefined,
    timeoutMs: 60_000,
  });
  const prompts = readDataset(files).map((d) => d.prompt);
  const vectors = await client.embedAll(prompts, 64, (done) => {
    if (done % 1024 < 64 || done === prompts.length) log(`  embedded ${done}/${prompts.length} prompts with ${e.model}`);
  });
  const dim = vectors[0]?.length ?? 0;
  const flat = new Float32Array(dim * vectors.length);
  vectors.forEach((v, i) => flat.set(v, i * dim));
  return flat;
}

/** The figures the card reports, measured by cross-validation before the final training. */
async function crossValidate(
  opts: TrainOptions,
  vectors: Float32Array | undefined,
  log: (line: string) => void,
): Promise<CardFigures> {
  if (!opts.cv) return {};
  if (opts.labels) {
    log('cross-validating (leave one source out) before the final training ...');
    const inDomain = await runLabelEval(
      {
        data: opts.data,
        labels: opts.labels,
        labelMap: opts.labelMap,
        method: 'classifier',
        encoder: opts.encoder,
        seeds: [opts.seed],
        utterancesPerSource: 0,
        topK: 1,
        progress: true,
      },
      log,
    );
    return { inDomain };
  }
  if (opts.router === 'predictive') {
    if (!opts.prices) {
      log('no --prices: the card will have no quality-cost figures');
      return {};
    }
    log('cross-validating (leave one source out) before the final training ...');
    const inDomain = await runPredictiveEval(
      { data: opts.data, prices: opts.prices, encoder: opts.encoder, seeds: [opts.seed], models: undefined, progress: true },
      log,
    );
    return { inDomain };
  }
  const base: Omit<EvalOptions, 'cv'> = {
    data: opts.data,
    strong: opts.strong,
    weak: opts.weak,
    router: opts.router,
    encoder: opts.encoder,
    seeds: [opts.seed],
    json: false,
    scoresOut: undefined,
    plot: undefined,
    resamples: opts.resamples ?? 1000,
    vectors,
    encoderModel: opts.embeddings?.model,
    target: opts.target,
  };
  const datasets = byDataset(readDataset(opts.data)).size;
  let crossDataset;
  if (datasets > 1) {
    log('cross-validating (leave one dataset out) before the final training ...');
    crossDataset = (await runEval({ ...base, cv: 'dataset' }, log)).report;
  }
  log('cross-validating (leave one source out) before the final training ...');
  const inDomain = (await runEval({ ...base, cv: 'source' }, log)).report;
  return { crossDataset, inDomain };
}

/** `switchboard train`: cross-validates, trains on all the data, writes the router and its model card. */
export async function runTrain(opts: TrainOptions, log: (line: string) => void): Promise<CardFigures> {
  const started = Date.now();
  if (opts.encoder === 'remote' && !opts.embeddings)
    throw new Error('--encoder remote needs --embeddings-url URL and --embeddings-model NAME');
  const vectors = opts.embeddings ? await remoteVectors(opts.data, opts.embeddings, log) : undefined;
  const figures = await crossValidate(opts, vectors, log);
  log(`training ${opts.router} on all of ${opts.data.map((d) => basename(d)).join(', ')} ...`);
  const files = opts.labels
    ? labelledFiles(opts.data, opts.labels, opts.labelMap)
    : { files: opts.data, cleanup: () => undefined };
  let meta: RouterMetadata;
  try {
    const member = (encoder: string) => ({
      data: files.files,
      router: opts.router,
      encoder,
      strong: opts.strong,
      weak: opts.weak,
      seed: opts.seed,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.target ? { target: opts.target } : {}),
      ...(vectors ? { vectors } : {}),
      ...(opts.embeddings ? { encoderModel: opts.embeddings.model } : {}),
    });
    // Several encoders: one router per encoder, combined (members under out/members/).
    const encoders = opts.encoder.split(',');
    meta =
      encoders.length > 1
        ? await trainEnsembleAsync(encoders.map(member), opts.out)
        : await trainRouterAsync({ ...member(opts.encoder), out: opts.out });
  } finally {
    files.cleanup();
  }
  if (meta.encoder !== 'remote') {
    log('measuring decision latency ...');
    const samples = readDataset(opts.data).map((d) => d.prompt);
    figures.latency = decisionLatency(NativeRouter.load(opts.out), samples);
  }
  const trainingSeconds = Math.round((Date.now() - started) / 100) / 10;
  writeCard(
    {
      out: opts.out,
      router: opts.router,
      encoder: opts.encoder,
      seed: opts.seed,
      data: opts.data,
      strong: opts.strong,
      weak: opts.weak,
      labels: opts.labels,
      labelMap: opts.labelMap,
      embeddingsModel: opts.embeddings?.model,
      command: opts.command ?? 'switchboard train',
      trainingSeconds,
    },
    meta,
    figures,
  );
  log(`wrote ${opts.out} (${trainingSeconds} s)`);
  return figures;
}
