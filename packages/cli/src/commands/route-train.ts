import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { trainRouter } from '@switchboard/native';
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
}

/** `switchboard train`: trains on all the data, writes the router and its model card. */
export function runTrain(opts: TrainOptions, log: (line: string) => void): EvalReport | undefined {
  const started = Date.now();
  let cv: EvalReport | undefined;
  if (opts.cv) {
    log(`cross-validating (leave one source out) before the final training ...`);
    cv = runEval(
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
      },
      log,
    ).report;
  }
  log(`training ${opts.router} on all of ${opts.data.map((d) => basename(d)).join(', ')} ...`);
  const meta = JSON.parse(
    trainRouter({
      data: opts.data,
      router: opts.router,
      encoder: opts.encoder,
      strong: opts.strong,
      weak: opts.weak,
      seed: opts.seed,
      out: opts.out,
    }),
  ) as Record<string, unknown>;
  const card = {
    router: opts.router,
    encoder: opts.encoder,
    pair: { strong: opts.strong, weak: opts.weak },
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

- router: \`${opts.router}\`, encoder: \`${opts.encoder}\` (hashed word/bigram/char-trigram features, ${String(meta.buckets)} buckets, learned ${String(meta.dim)}-d embeddings)
- pair: strong \`${opts.strong}\`, weak \`${opts.weak}\`${opts.router === 'mf' ? ` (mf: any two of ${(meta.models as string[]).length} models)` : ''}
- seed ${opts.seed}; data: ${card.data.map((d) => `${d.file} (${d.rows} rows, sha256 ${d.sha256.slice(0, 12)}…)`).join(', ')}
- written by \`switchboard train\`; details in card.json

${cv ? `Leave-one-source-out cross-validation (trained without each source, scored on it):\n\n\`\`\`\n${formatReport(cv)}\n\`\`\`\n` : 'No cross-validation was run.\n'}`,
  );
  log(`wrote ${opts.out} (${card.trainingSeconds} s)`);
  return cv;
}
