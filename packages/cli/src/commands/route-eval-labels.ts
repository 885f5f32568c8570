import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crossValidateOutputsAsync,
  NativeRouter,
  NativeSemanticIndex,
  sentenceVectorsAsync,
  trainRouterAsync,
} from '@switchboard/native';
import { readDataset } from '../routing/dataset.js';
import { labelledFiles, labelsOf } from '../routing/labels.js';
import { mean, sd, seeded } from '../routing/stats.js';

export interface LabelEvalOptions {
  data: string[];
  /** The label field (added from the map when one is given). */
  labels: string;
  labelMap: string | undefined;
  /** classifier: a label classifier trained per held-out source; semantic: utterances from the other sources. */
  method: 'classifier' | 'semantic';
  /** classifier: hashed | sentence; semantic: lexical | sentence. */
  encoder: string;
  seeds: number[];
  /** semantic: example prompts taken from each training source as utterances. */
  utterancesPerSource: number;
  topK: number;
  progress: boolean;
}

export interface LabelReport {
  method: string;
  encoder: string;
  n: number;
  classes: string[];
  accuracy: number;
  accuracySd: number;
  /** Always answering the most frequent class. */
  majority: number;
  perClass: Record<string, number>;
  /** One decision (tokenize/encode + score), microseconds. */
  latencyUs: { p50: number; p99: number };
  seeds: number[];
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Microseconds per call of `decide` over the prompts (after a warm-up). */
function timeDecisions(prompts: string[], decide: (p: string) => unknown): { p50: number; p99: number } {
  for (const p of prompts.slice(0, 50)) decide(p);
  const samples = prompts.map((p) => {
    const t = process.hrtime.bigint();
    decide(p);
    return Number(process.hrtime.bigint() - t) / 1000;
  });
  return percentiles(samples);
}

/**
 * Accuracy of task classification on labelled prompts, leave one source out
 * (e.g. MMLU subjects -> their family: the held-out subject's family must be
 * inferred from prompts of other subjects), with decision latency.
 */
export async function runLabelEval(opts: LabelEvalOptions, log: (line: string) => void): Promise<LabelReport> {
  const rows = readDataset(opts.data);
  const labels = labelsOf(rows, opts.labels, opts.labelMap);
  const classes = [...new Set(labels.filter((l): l is string => l !== undefined))].sort();
  const keep = labels.map((l) => l !== undefined);
  const predictions: (string | undefined)[][] = [];
  let latency = { p50: NaN, p99: NaN };
  const sample = rows.filter((_, i) => keep[i]).map((r) => r.prompt);
  const timingPrompts = sample.filter((_, i) => i % Math.max(1, Math.floor(sample.length / 1000)) === 0).slice(0, 1000);

  if (opts.method === 'classifier') {
    const files = labelledFiles(opts.data, opts.labels, opts.labelMap);
    try {
      for (const seed of opts.seeds) {
        log(`leave-one-source-out label classifier, encoder ${opts.encoder}, seed ${seed}`);
        const cv = await crossValidateOutputsAsync({
          data: files.files,
          router: 'classifier',
          labels: opts.labels,
          encoder: opts.encoder,
          strong: '',
          weak: '',
          seed,
          progress: opts.progress,
        });
        const own = cv.names;
        predictions.push(
          rows.map((_, i) => {
            let best = 0;
            for (let c = 1; c < cv.width; c++)
              if ((cv.values[i * cv.width + c] as number) > (cv.values[i * cv.width + best] as number)) best = c;
            return own[best];
          }),
        );
      }
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-labels-router-'));
      try {
        await trainRouterAsync({
          data: files.files,
          router: 'classifier',
          labels: opts.labels,
          encoder: opts.encoder,
          strong: '',
          weak: '',
          out: dir,
          seed: opts.seeds[0] ?? 42,
        });
        const router = NativeRouter.load(dir);
        latency = timeDecisions(timingPrompts, (p) => router.outputs(p));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      files.cleanup();
    }
  } else {
    const vectors = opts.encoder === 'sentence' ? await sentenceVectorsAsync(opts.data, opts.progress) : undefined;
    const dim = vectors ? vectors.length / rows.length : 0;
    const sources = [...new Set(rows.map((r) => r.source))].sort();
    const bySource = new Map(
      sources.map((s) => [s, rows.map((r, i) => (r.source === s && keep[i] ? i : -1)).filter((i) => i >= 0)]),
    );
    const build = (picked: number[]) => {
      const routeOf = picked.map((i) => classes.indexOf(labels[i] as string));
      if (!vectors)
        return NativeSemanticIndex.fromText(
          'lexical',
          picked.map((i) => (rows[i] as { prompt: string }).prompt),
          routeOf,
          classes.length,
          opts.topK,
        );
      const flat = new Float32Array(picked.length * dim);
      picked.forEach((i, k) => flat.set(vectors.subarray(i * dim, (i + 1) * dim), k * dim));
      return NativeSemanticIndex.fromVectors(flat, dim, routeOf, classes.length, opts.topK);
    };
    const argmax = (s: number[]) => classes[s.indexOf(Math.max(...s))];
    for (const seed of opts.seeds) {
      log(
        `leave-one-source-out semantic routes (${opts.utterancesPerSource} utterances per source), encoder ${opts.encoder}, seed ${seed}`,
      );
      const random = seeded(seed);
      // The utterances each source contributes, drawn once per seed.
      const drawn = new Map(
        sources.map((s) => {
          const pool = [...(bySource.get(s) ?? [])];
          for (let i = pool.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
          }
          return [s, pool.slice(0, opts.utterancesPerSource)];
        }),
      );
      const predicted: (string | undefined)[] = rows.map(() => undefined);
      for (const held of sources) {
        const index = build(sources.filter((s) => s !== held).flatMap((s) => drawn.get(s) ?? []));
        for (const i of bySource.get(held) ?? []) {
          predicted[i] = argmax(
            vectors
              ? index.scoresVector(vectors.subarray(i * dim, (i + 1) * dim))
              : index.scores((rows[i] as { prompt: string }).prompt),
          );
        }
      }
      predictions.push(predicted);
    }
    if (!vectors) {
      const index = build(sources.flatMap((s) => (bySource.get(s) ?? []).slice(0, opts.utterancesPerSource)));
      latency = timeDecisions(timingPrompts, (p) => index.scores(p));
    }
  }

  const truth = labels;
  const accuracies = predictions.map((pred) => {
    let right = 0;
    let total = 0;
    pred.forEach((p, i) => {
      if (truth[i] === undefined) return;
      total++;
      if (p === truth[i]) right++;
    });
    return right / total;
  });
  const first = predictions[0] ?? [];
  const perClass: Record<string, number> = {};
  for (const c of classes) {
    const idx = truth.map((t, i) => (t === c ? i : -1)).filter((i) => i >= 0);
    perClass[c] = idx.filter((i) => first[i] === c).length / idx.length;
  }
  const counts = classes.map((c) => truth.filter((t) => t === c).length);
  const n = truth.filter((t) => t !== undefined).length;
  return {
    method: opts.method,
    encoder: opts.encoder,
    n,
    classes,
    accuracy: mean(accuracies),
    accuracySd: sd(accuracies),
    majority: Math.max(...counts) / n,
    perClass,
    latencyUs: latency,
    seeds: opts.seeds,
  };
}

export function formatLabelReport(r: LabelReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `${r.method} (${r.encoder}), leave one source out: n ${r.n}, ${r.classes.length} classes`,
    `accuracy      ${pct(r.accuracy)}${r.seeds.length > 1 ? ` ± ${pct(r.accuracySd)} (${r.seeds.length} seeds)` : ''}   (majority class ${pct(r.majority)})`,
    `per class     ${Object.entries(r.perClass)
      .map(([c, a]) => `${c} ${pct(a)}`)
      .join(', ')}`,
    `decision      p50 ${Number.isFinite(r.latencyUs.p50) ? `${r.latencyUs.p50.toFixed(1)} us, p99 ${r.latencyUs.p99.toFixed(1)} us` : 'not measured (vectors precomputed)'}`,
  ].join('\n');
}
