import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The offline commands of routing strategies, as a user runs them (the built CLI, JSON output).
const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const DATA = fileURLToPath(new URL('../../data/router/', import.meta.url));
/** `eval` of a router kind held out per dataset, on the two small judged datasets. */
const heldOutEval = (router: string, resamples: string) => [
  'eval',
  '--data',
  join(DATA, 'arena-bench.jsonl'),
  '--data',
  join(DATA, 'alpaca-eval-train.jsonl'),
  '--router',
  router,
  '--cv',
  'dataset',
  '--resamples',
  resamples,
];
const run = (...args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as Record<string, unknown>;

describe('switchboard eval / simulate / train for the strategies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-commands-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('eval --router predictive: a quality-cost frontier between the single models and the oracle', () => {
    const r = run(
      'eval',
      '--data',
      join(DATA, 'alpaca-eval-train.jsonl'),
      '--router',
      'predictive',
      '--prices',
      join(DATA, 'prices.json'),
    ) as {
      n: number;
      models: string[];
      aiq: { predictive: number; singleModels: number; oracle: number };
      frontier: { cost: number; quality: number }[];
    };
    expect(r.n).toBe(569);
    expect(r.models).toHaveLength(17);
    expect(r.aiq.oracle).toBeGreaterThan(r.aiq.predictive);
    expect(r.aiq.predictive).toBeGreaterThan(0);
    // the frontier never loses quality as cost grows
    for (let i = 1; i < r.frontier.length; i++) {
      expect(r.frontier[i]!.cost).toBeGreaterThan(r.frontier[i - 1]!.cost);
      expect(r.frontier[i]!.quality).toBeGreaterThan(r.frontier[i - 1]!.quality);
    }
  });

  it('simulate: the learning policies have far less regret than random choice (seeded)', () => {
    const r = run(
      'simulate',
      '--data',
      join(DATA, 'alpaca-eval-train.jsonl'),
      '--prices',
      join(DATA, 'prices.json'),
      '--rounds',
      '2000',
      '--seeds',
      '2',
    ) as {
      rows: { algorithm: string; regret: number }[];
    };
    const regret = Object.fromEntries(r.rows.map((row) => [row.algorithm, row.regret]));
    for (const a of ['epsilon-greedy', 'ucb1', 'thompson', 'automaton'])
      expect(regret[a]).toBeLessThan((regret.random as number) / 2);
  });

  it('eval --labels --semantic: leave-one-subject-out accuracy above the majority class', () => {
    const r = run(
      'eval',
      '--data',
      join(DATA, 'mmlu-train.jsonl'),
      '--labels',
      'family',
      '--label-map',
      join(DATA, 'mmlu-families.json'),
      '--semantic',
      '--utterances',
      '5',
    ) as { accuracy: number; majority: number; classes: string[] };
    expect(r.classes).toEqual(['humanities', 'other', 'social_sciences', 'stem']);
    expect(r.accuracy).toBeGreaterThan(r.majority + 0.05);
  });

  it('train --labels writes a label classifier with its card; a label field the data lacks is a clear error', () => {
    const out = join(dir, 'families');
    execFileSync(
      process.execPath,
      [
        BIN,
        'train',
        '--data',
        join(DATA, 'mmlu-train.jsonl'),
        '--router',
        'classifier',
        '--labels',
        'family',
        '--label-map',
        join(DATA, 'mmlu-families.json'),
        '--out',
        out,
        '--no-cv',
      ],
      {
        stdio: 'ignore',
      },
    );
    expect(JSON.parse(readFileSync(join(out, 'router.json'), 'utf8'))).toMatchObject({
      classes: ['humanities', 'other', 'social_sciences', 'stem'],
      label_field: 'family',
    });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('classes from `family`');
    const bad = spawnSync(
      process.execPath,
      [
        BIN,
        'train',
        '--data',
        join(DATA, 'mmlu-train.jsonl'),
        '--router',
        'classifier',
        '--labels',
        'family',
        '--out',
        join(dir, 'x'),
        '--no-cv',
      ],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('switchboard train: label field "family" has 0 distinct value(s) in the data');
    expect(bad.stderr).not.toContain('    at ');
  });

  it('eval --cv dataset --by-source: per held-out dataset, its own pair, the baselines, bootstrap intervals and each source', () => {
    const r = run(...heldOutEval('mf', '200'), '--by-source') as {
      scheme: string;
      datasets: {
        dataset: string;
        n: number;
        pair: { strong: string; weak: string };
        router: { apgr: number; apgrCi: [number, number]; gainOverLength: [number, number] };
        length: { apgr: number };
        random: { apgr: number };
        sources: {
          source: string;
          n: number;
          gap: number;
          gainShare: number;
          router: { apgr: number };
          length: { apgr: number };
        }[];
        withinSources: { router: number; length: number };
      }[];
      worst: { dataset: string; apgr: number };
    };
    expect(r.scheme).toBe('leave-one-dataset-out');
    expect(r.datasets.map((d) => [d.dataset, d.pair.strong])).toEqual([
      ['arena-bench', 'gpt-4-1106-preview'],
      ['alpaca-eval', 'gpt4_1106_preview'],
    ]);
    for (const d of r.datasets) {
      const [lo, hi] = d.router.apgrCi;
      expect(lo).toBeLessThanOrEqual(d.router.apgr);
      expect(hi).toBeGreaterThanOrEqual(d.router.apgr);
      expect(d.router.gainOverLength[0]).toBeLessThanOrEqual(d.router.gainOverLength[1]);
    }
    expect(r.worst.apgr).toBe(Math.min(...r.datasets.map((d) => d.router.apgr)));
    // alpaca-eval's three sources hold all its prompts and all its gain; the within-source
    // figure is a weighted mean of theirs, so it lies between the lowest and the highest.
    const alpaca = r.datasets[1]!;
    expect(alpaca.sources.map((s) => s.source)).toEqual([
      'alpaca-eval/helpful_base',
      'alpaca-eval/oasst',
      'alpaca-eval/selfinstruct',
    ]);
    expect(alpaca.sources.reduce((n, s) => n + s.n, 0)).toBe(alpaca.n);
    expect(alpaca.sources.reduce((g, s) => g + s.gainShare, 0)).toBeCloseTo(1, 6);
    for (const kind of ['router', 'length'] as const) {
      const apgrs = alpaca.sources.map((s) => s[kind].apgr);
      expect(alpaca.withinSources[kind]).toBeGreaterThanOrEqual(Math.min(...apgrs) - 1e-9);
      expect(alpaca.withinSources[kind]).toBeLessThanOrEqual(Math.max(...apgrs) + 1e-9);
    }
    // arena-bench has one source: within it, the figures are the dataset's own.
    const arena = r.datasets[0]!;
    expect(arena.sources).toHaveLength(1);
    expect(arena.withinSources.router).toBeCloseTo(arena.router.apgr, 9);
    expect(arena.withinSources.length).toBeCloseTo(arena.length.apgr, 9);
  });

  it('eval --cv dataset --adapt: each fold trains on a fixed draw of its held-out dataset, scored only on the rest', () => {
    type Report = { adapt: number; datasets: { dataset: string; n: number }[] };
    const plain = run(...heldOutEval('length', '20')) as Report;
    const held = (out: string) => {
      const r = run(...heldOutEval('length', '20'), '--adapt', '40', '--scores-out', join(dir, out)) as Report;
      const scores = readFileSync(join(dir, out), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { score: number | null }).score);
      return { r, trained: scores.flatMap((s, i) => (s === null ? [i] : [])) };
    };
    const a = held('adapt-a.scores');
    expect(a.r.adapt).toBe(40);
    // 40 prompts of each of the two datasets trained on, not scored, and left out of the figures
    expect(a.trained).toHaveLength(80);
    a.r.datasets.forEach((d, i) => {
      const before = (plain.datasets[i] as { n: number }).n;
      expect(d.n).toBeLessThanOrEqual(before - 40);
      expect(d.n).toBeGreaterThan(0);
    });
    // the draw is fixed: another run (or another seed) trains on the same prompts
    expect(held('adapt-b.scores').trained).toEqual(a.trained);
    for (const [args, message] of [
      [['--adapt', '300'], 'arena-bench has 206 prompts: moving 300 of them into training leaves none to score'],
      [['--adapt', '1.5'], '--adapt must be a whole number of prompts'],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, ...heldOutEval('length', '20'), ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const noCv = spawnSync(
      process.execPath,
      [BIN, 'eval', '--data', join(DATA, 'arena-bench.jsonl'), '--router', 'models/default', '--adapt', '10'],
      { encoding: 'utf8' },
    );
    expect(noCv.status).toBe(2);
    expect(noCv.stderr).toContain('--adapt needs --cv');
    const bySourceLabels = spawnSync(
      process.execPath,
      [BIN, 'eval', '--data', join(DATA, 'arena-bench.jsonl'), '--labels', 'source', '--by-source'],
      { encoding: 'utf8' },
    );
    expect(bySourceLabels.status).toBe(2);
    expect(bySourceLabels.stderr).toContain('--by-source measures a strong/weak router per source');
  });

  it('eval --cv dataset --target: cluster learns the difficulty unless told the gain; --target elsewhere is a usage error', () => {
    const scores = (target: string | undefined) => {
      const out = join(dir, `cluster-${target ?? 'default'}.scores`);
      const targetArgs = target === undefined ? [] : ['--target', target];
      run(...heldOutEval('cluster', '20'), '--encoder', 'static', ...targetArgs, '--scores-out', out);
      return readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { score: number }).score);
    };
    const gain = scores('gain');
    const difficulty = scores('difficulty');
    expect(gain).toHaveLength(difficulty.length);
    // Per-cluster means of another quantity: most prompts get another score.
    expect(difficulty.filter((d, i) => d !== gain[i]).length).toBeGreaterThan(gain.length / 2);
    // cluster's default target is the difficulty (targets.rs, Target::default_for).
    expect(scores(undefined)).toEqual(difficulty);
    for (const [args, message] of [
      [['--router', 'mf', '--cv', 'dataset', '--target', 'difficulty'], '--target applies to the knn, cluster routers'],
      [['--router', 'cluster', '--cv', 'dataset', '--target', 'hardness'], '--target takes "gain" or "difficulty"'],
      [['--router', 'models/default', '--target', 'difficulty'], '--target needs --cv'],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, 'eval', '--data', join(DATA, 'arena-bench.jsonl'), ...args], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('train --router length: the honest floor as a router, with a card of both cross-validations, the latency and the data licences', () => {
    const out = join(dir, 'length');
    execFileSync(
      process.execPath,
      [
        BIN,
        'train',
        '--data',
        join(DATA, 'arena-bench.jsonl'),
        '--data',
        join(DATA, 'alpaca-eval-train.jsonl'),
        '--router',
        'length',
        '--strong',
        'gpt-4-1106-preview',
        '--weak',
        'mixtral-8x7b-instruct-v0.1',
        '--resamples',
        '100',
        '--out',
        out,
      ],
      { stdio: 'ignore' },
    );
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')) as {
      metadata: { router: string; encoder: string; scorePercentiles: number[] };
      crossDataset: { datasets: unknown[] };
      inDomain: { datasets: unknown[] };
      decisionLatency: { bytes: number }[];
    };
    expect(card.metadata).toMatchObject({ router: 'length', encoder: 'text' });
    expect(card.metadata.scorePercentiles).toHaveLength(101);
    expect(card.crossDataset.datasets).toHaveLength(2);
    expect(card.inDomain.datasets).toHaveLength(2);
    expect(card.decisionLatency.map((l) => l.bytes)).toEqual([200, 2048, 20480]);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('## Leave one dataset out');
    expect(readme).toContain('switchboard train --data');
    // trained on AlpacaEval data: the card carries its non-commercial licence
    expect(readme).toContain('## Data licences');
    expect(readme).toContain('- alpaca-eval-train.jsonl: CC BY-NC 4.0');
    expect(readme).toContain('- arena-bench.jsonl: Apache-2.0');
  });
});
