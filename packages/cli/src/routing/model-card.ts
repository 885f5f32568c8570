import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RouterMetadata } from '@switchboard/native';
import type { EvalReport } from '../commands/route-eval.js';
import { formatLabelReport, type LabelReport } from '../commands/route-eval-labels.js';
import { formatPredictiveReport, type PredictiveReport } from '../commands/route-eval-predictive.js';
import { formatReport } from './eval-table.js';
import { formatLatency, type Latency } from './latency.js';

/** What `switchboard train` measured before the final training, for the card. */
export interface CardFigures {
  crossDataset?: EvalReport | undefined;
  inDomain?: EvalReport | LabelReport | PredictiveReport | undefined;
  latency?: Latency[] | undefined;
}

export interface CardInput {
  out: string;
  router: string;
  encoder: string;
  seed: number;
  data: string[];
  strong: string;
  weak: string;
  labels?: string | undefined;
  labelMap?: string | undefined;
  embeddingsModel?: string | undefined;
  /** The command that trained the router, to rerun it. */
  command: string;
  trainingSeconds: number;
}

function fileFacts(file: string) {
  const bytes = readFileSync(file);
  const rows = bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim()).length;
  return { file: basename(file), rows, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function formatAny(r: EvalReport | LabelReport | PredictiveReport): string {
  if ('accuracy' in r) return `\`\`\`\n${formatLabelReport(r)}\n\`\`\``;
  if ('aiq' in r) return `\`\`\`\n${formatPredictiveReport(r)}\n\`\`\``;
  return formatReport(r);
}

/** What the router predicts, for its card. */
function describeTarget(c: CardInput, meta: RouterMetadata): string {
  if (c.labels) return `classes from \`${c.labels}\`: ${meta.classes.join(', ')}`;
  if (c.router === 'predictive') return `predicted quality of ${meta.models.length} models: ${meta.models.join(', ')}`;
  const any = ['mf', 'irt', 'knn', 'cluster'].includes(c.router) && meta.models.length;
  return `pair: strong \`${meta.strong}\`, weak \`${meta.weak}\`${any ? ` (any two of its ${meta.models.length} models)` : ''}`;
}

function describeEncoder(encoder: string, meta: RouterMetadata): string {
  if (encoder.includes(','))
    return "an ensemble: one router per encoder, under members/; the score is the mean of each member's score as a percentile of its training scores";
  if (encoder === 'sentence') return 'all-MiniLM-L6-v2 sentence embeddings, 384-d, weights from scripts/fetch-models.sh';
  if (encoder === 'static')
    return `a static encoder distilled from all-MiniLM-L6-v2 (one vector per token, averaged) with the explicit prompt features, ${meta.dim}-d in all; its table and tokenizer.json are in the folder`;
  if (encoder === 'remote') return `vectors from /v1/embeddings, ${meta.dim}-d`;
  if (meta.encoder === 'text') return 'reads the prompt text itself';
  return `hashed word/bigram/char-trigram features, ${meta.buckets} buckets, learned ${meta.dim}-d embeddings`;
}

/** Data files whose licence a router trained on them carries (data/router/README.md). */
const LICENCES: Record<string, string> = {
  'alpaca-eval-ae2.jsonl': 'CC BY-NC 4.0 (AlpacaEval data): non-commercial use only',
  'alpaca-eval-train.jsonl': 'CC BY-NC 4.0 (AlpacaEval data): non-commercial use only',
  'mmlu-train.jsonl': 'Apache-2.0 (RouteLLM)',
  'mmlu-pro.jsonl': 'Apache-2.0 (MMLU-Pro)',
  'zeroeval.jsonl': 'Apache-2.0 (ZeroEval; CRUXEval and MATH keep their own licences)',
  'llmrouter.jsonl': 'MIT (LLMRouter; the task datasets keep their own licences)',
  'arena-bench.jsonl': 'Apache-2.0 (arena-hard-auto)',
};

function licenceSection(files: readonly string[]): string[] {
  const known = files.filter((f) => LICENCES[f]);
  if (!known.length) return [];
  const nc = known.some((f) => LICENCES[f]?.startsWith('CC BY-NC'));
  return [
    '## Data licences',
    '',
    ...known.map((f) => `- ${f}: ${LICENCES[f]}`),
    '',
    ...(nc ? ['Trained on AlpacaEval data, this router carries its CC BY-NC 4.0 condition: non-commercial use only.', ''] : []),
    "Scores derive from commercial models' answers (and GPT-4 judgments): their providers' terms apply too (data/router/README.md).",
    '',
  ];
}

/** card.json and README.md beside the router: what it is, what it was trained on, how it measured. */
export function writeCard(c: CardInput, meta: RouterMetadata, figures: CardFigures): void {
  const data = c.data.map(fileFacts);
  const card = {
    router: c.router,
    encoder: c.encoder,
    metadata: meta,
    ...(c.labels ? { labels: { field: c.labels, map: c.labelMap ? basename(c.labelMap) : null } } : {}),
    ...(c.embeddingsModel ? { embeddings: { model: c.embeddingsModel, dim: meta.dim } } : {}),
    seed: c.seed,
    data,
    command: c.command,
    crossDataset: figures.crossDataset ?? null,
    inDomain: figures.inDomain ?? null,
    decisionLatency: figures.latency ?? null,
    trainingSeconds: c.trainingSeconds,
  };
  writeFileSync(join(c.out, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  const sections = [
    `# Router ${basename(c.out)}`,
    '',
    `- router: \`${c.router}\`, encoder: \`${c.encoder}\` (${describeEncoder(c.encoder, meta)})`,
    `- ${describeTarget(c, meta)}`,
    `- seed ${c.seed}; data: ${data.map((d) => `${d.file} (${d.rows} rows, sha256 ${d.sha256.slice(0, 12)}…)`).join(', ')}`,
    `- written by \`${c.command}\` (${c.trainingSeconds} s); details in card.json`,
    '',
  ];
  if (figures.crossDataset)
    sections.push(
      '## Leave one dataset out (trained without each dataset, scored on all of it)',
      '',
      formatAny(figures.crossDataset),
      '',
    );
  if (figures.inDomain)
    sections.push(
      '## Leave one source out (in-domain: other sources of the same datasets seen)',
      '',
      formatAny(figures.inDomain),
      '',
    );
  if (!figures.crossDataset && !figures.inDomain) sections.push('No cross-validation was run.', '');
  if (figures.latency)
    sections.push(
      '## Decision latency',
      '',
      'One `score()` call (tokenize, encode, score) on the machine that trained the router:',
      '',
      formatLatency(figures.latency),
      '',
    );
  sections.push(...licenceSection(data.map((d) => d.file)));
  writeFileSync(join(c.out, 'README.md'), sections.join('\n'));
}
