import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EmbeddingsClient } from '@switchboard/gateway';
import { trainEnsembleAsync, trainRouterAsync, type RouterMetadata } from '@switchboard/native';
import { readDataset } from '../routing/dataset.js';
import { labelledFiles } from '../routing/labels.js';
import { formatLabelReport, runLabelEval, type LabelReport } from './route-eval-labels.js';
import { formatPredictiveReport, runPredictiveEval, type PredictiveReport } from './route-eval-predictive.js';
import { formatReport, runEval, type EvalReport } from './route-eval.js';

export interface TrainOptions {
  data: string[];
  router: string;
  encoder: string;
  strong: string;
  weak: string;
  seed: number;
  out: string;
  /** Leave-one-source-out figures for the model card (one extra training per source). */
  cv: boolean;
  /** classifier: train on the classes in this field (with `labelMap`: derived from each row's source). */
  labels?: string | undefined;
  labelMap?: string | undefined;
  /** predictive: a prices file, for the card's leave-one-source-out quality-cost figures. */
  prices?: string | undefined;
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

/** `switchboard train`: trains on all the data, writes the router and its model card. */
export async function runTrain(
  opts: TrainOptions,
  log: (line: string) => void,
): Promise<EvalReport | LabelReport | PredictiveReport | undefined> {
  const started = Date.now();
  let cv: EvalReport | LabelReport | PredictiveReport | undefined;
  if (opts.encoder === 'remote' && !opts.embeddings)
    throw new Error('--encoder remote needs --embeddings-url URL and --embeddings-model NAME');
  const vectors = opts.embeddings ? await remoteVectors(opts.data, opts.embeddings, log) : undefined;
  const files = opts.labels
    ? labelledFiles(opts.data, opts.labels, opts.labelMap)
    : { files: opts.data, cleanup: () => undefined };
  if (opts.cv && opts.labels) {
    log(`cross-validating (leave one source out) before the final training ...`);
    cv = await runLabelEval(
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
  } else if (opts.cv && opts.router === 'predictive') {
    if (opts.prices) {
      log(`cross-validating (leave one source out) before the final training ...`);
      cv = await runPredictiveEval(
        { data: opts.data, prices: opts.prices, encoder: opts.encoder, seeds: [opts.seed], models: undefined, progress: true },
        log,
      );
    } else log('no --prices: the card will have no quality-cost figures');
  } else if (opts.cv) {
    log(`cross-validating (leave one source out) before the final training ...`);
    cv = (
      await runEval(
        {
          data: opts.data,
          strong: opts.strong,
          weak: opts.weak,
          router: opts.router,
          cv: 'source',
          encoder: opts.encoder,
          seeds: [opts.seed],
          json: false,
          scoresOut: undefined,
          plot: undefined,
          vectors,
          encoderModel: opts.embeddings?.model,
        },
        log,
      )
    ).report;
  }
  log(`training ${opts.router} on all of ${opts.data.map((d) => basename(d)).join(', ')} ...`);
  let meta: RouterMetadata;
  try {
    const encoders = opts.encoder.split(',');
    const member = (encoder: string) => ({
      data: files.files,
      router: opts.router,
      encoder,
      strong: opts.strong,
      weak: opts.weak,
      seed: opts.seed,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(vectors ? { vectors } : {}),
      ...(opts.embeddings ? { encoderModel: opts.embeddings.model } : {}),
    });
    // Several encoders: one router per encoder, combined (members under out/members/).
    meta =
      encoders.length > 1
        ? await trainEnsembleAsync(encoders.map(member), opts.out)
        : await trainRouterAsync({ ...member(opts.encoder), out: opts.out });
  } finally {
    files.cleanup();
  }
  const card = {
    router: opts.router,
    encoder: opts.encoder,
    ...(opts.labels
      ? { labels: { field: opts.labels, map: opts.labelMap ? basename(opts.labelMap) : null, classes: meta.classes } }
      : {}),
    ...(opts.router === 'predictive' ? { models: meta.models, outputTokens: meta.outputTokens } : {}),
    ...(opts.labels || opts.router === 'predictive' ? {} : { pair: { strong: opts.strong, weak: opts.weak } }),
    ...(opts.embeddings ? { embeddings: { model: opts.embeddings.model, dim: meta.dim } } : {}),
    seed: opts.seed,
    hyperParameters: { buckets: meta.buckets, dim: meta.dim, k: meta.k, gamma: meta.gamma },
    data: opts.data.map((file) => {
      const bytes = readFileSync(file);
      return {
        file: basename(file),
        rows: bytes
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim()).length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    }),
    crossValidation: cv ? { scheme: 'leave-one-source-out', ...cv } : null,
    trainingSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(join(opts.out, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  writeFileSync(
    join(opts.out, 'README.md'),
    `# Router ${basename(opts.out)}

- router: \`${opts.router}\`, encoder: \`${opts.encoder}\` (${describeEncoder(opts.encoder, meta)})
- ${describeTarget(opts, meta)}
- seed ${opts.seed}; data: ${card.data.map((d) => `${d.file} (${d.rows} rows, sha256 ${d.sha256.slice(0, 12)}…)`).join(', ')}
- written by \`switchboard train\`; details in card.json

${cv ? `Leave-one-source-out cross-validation (trained without each source, scored on it):\n\n\`\`\`\n${'accuracy' in cv ? formatLabelReport(cv) : 'aiq' in cv ? formatPredictiveReport(cv) : formatReport(cv)}\n\`\`\`\n` : 'No cross-validation was run.\n'}`,
  );
  log(`wrote ${opts.out} (${card.trainingSeconds} s)`);
  return cv;
}

/** What the router predicts, for its card. */
function describeTarget(opts: TrainOptions, meta: RouterMetadata): string {
  if (opts.labels) return `classes from \`${opts.labels}\`: ${meta.classes.join(', ')}`;
  if (opts.router === 'predictive') return `predicted quality of ${meta.models.length} models: ${meta.models.join(', ')}`;
  const models = meta.models;
  return `pair: strong \`${opts.strong}\`, weak \`${opts.weak}\`${opts.router === 'mf' && models.length ? ` (mf: any two of ${models.length} models)` : ''}`;
}

function describeEncoder(encoder: string, meta: RouterMetadata): string {
  if (encoder.includes(','))
    return `an ensemble: one router per encoder, under members/; the score is the mean of each member's score as a percentile of its training scores`;
  if (encoder === 'sentence') return 'all-MiniLM-L6-v2 sentence embeddings, 384-d, weights from scripts/fetch-models.sh';
  if (encoder === 'remote') return `vectors from /v1/embeddings, ${String(meta.dim)}-d`;
  return `hashed word/bigram/char-trigram features, ${String(meta.buckets)} buckets, learned ${String(meta.dim)}-d embeddings`;
}
