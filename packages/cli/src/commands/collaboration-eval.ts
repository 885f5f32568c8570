// switchboard eval --router collaboration: the trained controller,
// cross-validated by prompt on a replay, against fixed plans, each mode's
// best, the built-in prior and the oracle (docs/collaboration.md, "Evaluation").
import type { Difficulty } from '@switchboard/gateway';
import { nonNegative, parseOptions, UsageError } from '../cli/args.js';
import { foldsOf, gatewayHelpers, readReplay, reward, type Replay, type ReplayPrompt } from '../routing/collaboration-replay.js';
import { mean, seeded } from '../routing/stats.js';
import { trainPolicy } from './collaboration-train.js';

export interface Interval {
  mean: number;
  /** 95% percentile bootstrap interval over prompts. */
  lo: number;
  hi: number;
}

export interface EvalRow {
  name: string;
  kind: 'plan' | 'mode-best' | 'best-plan' | 'prior' | 'controller' | 'oracle';
  /** The fixed plan, for plan, mode-best and best-plan rows. */
  plan?: string;
  quality: Interval;
  /** US dollars per prompt. */
  cost: Interval;
  /** quality − λ·cost */
  reward: Interval;
}

export interface CollaborationEvalReport {
  prompts: number;
  plans: string[];
  rows: number;
  folds: number;
  seed: number;
  costWeight: number;
  minRows: number;
  resamples: number;
  table: EvalRow[];
  /** The controller's reward minus another policy's, paired over the same prompts. */
  comparisons: { against: string; reward: Interval }[];
  /** How often the controller chose each plan on held-out prompts. */
  controllerPlans: Record<string, number>;
  notes: string[];
}

export interface EvalOptions {
  data: string[];
  costWeight: number;
  folds: number;
  minRows: number;
  seed: number;
  resamples?: number;
}

/** A policy's plan for each prompt. */
type Picks = readonly string[];

/** 95% percentile bootstrap of the mean, on the same resamples for every policy (so differences are paired). */
function bootstrapper(n: number, resamples: number, seed: number) {
  const random = seeded(seed ^ 0x9e3779b9);
  const draws = Array.from({ length: resamples }, () => Array.from({ length: n }, () => Math.floor(random() * n)));
  return (xs: readonly number[]): Interval => {
    const means = draws.map((d) => d.reduce((s, i) => s + (xs[i] as number), 0) / n).sort((a, b) => a - b);
    const at = (q: number) => means[Math.min(means.length - 1, Math.max(0, Math.floor(q * means.length)))] as number;
    return { mean: mean(xs), lo: at(0.025), hi: at(0.975) };
  };
}

/** The prior's plan for a prompt: the first of the gateway's preferences the replay has, else its first candidate. */
function priorPick(p: ReplayPrompt, plans: readonly string[], priorPlans: (t: string, d: Difficulty) => readonly string[]) {
  return priorPlans(p.task, p.difficulty).find((k) => plans.includes(k)) ?? plans[0]!;
}

/** Cross-validated controller: per fold, a policy trained on the other folds picks each held-out prompt's plan. */
export function crossValidatedPicks(
  replay: Replay,
  o: { costWeight: number; minRows: number; folds: number; seed: number },
  prior: (p: ReplayPrompt) => string,
): string[] {
  const fold = foldsOf(replay.prompts.length, o.folds, o.seed);
  const picks = new Array<string>(replay.prompts.length);
  for (let f = 0; f < o.folds; f++) {
    const train = replay.prompts.filter((_, i) => fold[i] !== f);
    const policy = trainPolicy(train, replay.plans, o);
    replay.prompts.forEach((p, i) => {
      // A context the training folds never saw is not in the policy: the gateway then uses its prior.
      if (fold[i] === f) picks[i] = policy.choices[p.context] ?? prior(p);
    });
  }
  return picks;
}

export async function runCollaborationEval(o: EvalOptions): Promise<CollaborationEvalReport> {
  const gw = await gatewayHelpers();
  const { priorPlans } = await import('@switchboard/gateway');
  const replay = readReplay(o.data, gw);
  const { prompts, plans } = replay;
  const lambda = o.costWeight;
  const resamples = o.resamples ?? 1000;
  const interval = bootstrapper(prompts.length, resamples, o.seed);
  const runOf = (i: number, plan: string) => prompts[i]!.runs.get(plan)!;
  const row = (name: string, kind: EvalRow['kind'], picks: Picks, plan?: string): EvalRow => {
    const runs = picks.map((k, i) => runOf(i, k));
    return {
      name,
      kind,
      ...(plan ? { plan } : {}),
      quality: interval(runs.map((r) => r.quality)),
      cost: interval(runs.map((r) => r.cost)),
      reward: interval(runs.map((r) => reward(r, lambda))),
    };
  };
  const always = (plan: string): Picks => prompts.map(() => plan);
  const meanReward = (plan: string) => mean(prompts.map((p) => reward(p.runs.get(plan)!, lambda)));

  const table: EvalRow[] = plans.map((plan) => row(plan, 'plan', always(plan), plan));
  // Each mode's best fixed plan, chosen on every prompt (hindsight: the baselines' figures are optimistic).
  const modes = [...new Set(plans.map((k) => k.split(':')[0] as string))];
  const modeBest = new Map<string, string>();
  for (const mode of modes) {
    const best = plans.filter((k) => k.startsWith(`${mode}:`)).reduce((a, b) => (meanReward(b) > meanReward(a) ? b : a));
    modeBest.set(mode, best);
    const label = mode === 'single' ? 'best single model' : mode === 'fusion' ? 'always-fusion' : `best ${mode}`;
    table.push(row(`${label} (${best})`, 'mode-best', always(best), best));
  }
  // The best fixed plan of all, in hindsight: what one plan for every request could do at best.
  const bestPlan = plans.reduce((a, b) => (meanReward(b) > meanReward(a) ? b : a));
  table.push(row(`best fixed plan (${bestPlan})`, 'best-plan', always(bestPlan), bestPlan));
  const prior = (p: ReplayPrompt) => priorPick(p, plans, priorPlans);
  const priorPicks = prompts.map(prior);
  table.push(row('prior (built-in, untrained)', 'prior', priorPicks));
  const picks = crossValidatedPicks(replay, o, prior);
  table.push(row(`controller (trained, ${o.folds}-fold cv)`, 'controller', picks));
  const oracle = prompts.map((p) =>
    plans.reduce((a, b) => (reward(p.runs.get(b)!, lambda) > reward(p.runs.get(a)!, lambda) ? b : a)),
  );
  table.push(row('oracle (best plan per prompt)', 'oracle', oracle));

  const rewards = (ks: Picks) => ks.map((k, i) => reward(runOf(i, k), lambda));
  const controller = rewards(picks);
  const against: [string, Picks][] = [
    ['prior', priorPicks],
    [`best fixed plan (${bestPlan})`, always(bestPlan)],
  ];
  const single = modeBest.get('single');
  if (single) against.push([`best single model (${single})`, always(single)]);
  const fusion = modeBest.get('fusion');
  if (fusion) against.push([`always-fusion (${fusion})`, always(fusion)]);
  const notes = [...replay.notes];
  if (!single) notes.push('no single:* plan in the replay: no best single model');
  if (!fusion) notes.push('no fusion:* plan in the replay: no always-fusion');
  const comparisons = against.map(([name, ks]) => {
    const other = rewards(ks);
    return { against: name, reward: interval(controller.map((c, i) => c - (other[i] as number))) };
  });
  const controllerPlans: Record<string, number> = {};
  for (const k of picks) controllerPlans[k] = (controllerPlans[k] ?? 0) + 1;
  return {
    prompts: prompts.length,
    plans,
    rows: replay.rows,
    folds: o.folds,
    seed: o.seed,
    costWeight: lambda,
    minRows: o.minRows,
    resamples,
    table,
    comparisons,
    controllerPlans,
    notes,
  };
}

const num = (x: number, digits: number) => x.toFixed(digits);
const cell = (i: Interval, digits: number, scale = 1) =>
  `${num(i.mean * scale, digits)} [${num(i.lo * scale, digits)}, ${num(i.hi * scale, digits)}]`;
const signed = (i: Interval) => {
  const s = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  return `${s(i.mean)} [${s(i.lo)}, ${s(i.hi)}]`;
};

export function formatCollaborationReport(r: CollaborationEvalReport): string {
  const header = ['policy', 'quality', 'cost $/1k prompts', 'quality - λ·cost'];
  const rows = r.table.map((t) => [t.name, cell(t.quality, 3), cell(t.cost, 4, 1000), cell(t.reward, 3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const firstBaseline = r.table.findIndex((t) => t.kind !== 'plan');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = rows.map(line);
  body.splice(firstBaseline, 0, rule);
  const width = Math.max(...r.comparisons.map((c) => c.against.length));
  const chosen = Object.entries(r.controllerPlans)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `Collaboration plans on ${r.prompts} prompts x ${r.plans.length} plans (${r.rows} rows); controller: ${r.folds}-fold cross-validation by prompt, seed ${r.seed}, min rows ${r.minRows}; λ = ${r.costWeight} per US dollar`,
    `Means over prompts with 95% bootstrap intervals (${r.resamples} resamples); fixed plans and each mode's best are chosen in hindsight.`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body,
    '',
    'controller minus (quality - λ·cost, paired over prompts):',
    ...r.comparisons.map((c) => `  ${c.against.padEnd(width)}  ${signed(c.reward)}`),
    `controller's plans on held-out prompts: ${chosen}`,
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

const options = {
  data: { type: 'string', multiple: true },
  router: { type: 'string' },
  'cost-weight': { type: 'string' },
  folds: { type: 'string' },
  'min-rows': { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const integer = (value: string | undefined, fallback: number, name: string) => {
  const n = nonNegative(value, fallback, name);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
};

/** `switchboard eval --router collaboration ...`: its own options; the report as text (or JSON). */
export async function collaborationEval(args: string[]): Promise<string> {
  const v = parseOptions('eval --router collaboration', options, args);
  if (!v.data?.length) throw new UsageError('eval needs --data FILE (one or more replays)');
  const folds = integer(v.folds, 5, 'folds');
  if (folds < 2) throw new UsageError('--folds must be at least 2');
  const report = await runCollaborationEval({
    data: v.data,
    costWeight: nonNegative(v['cost-weight'], 0, 'cost-weight'),
    folds,
    minRows: integer(v['min-rows'], 5, 'min-rows'),
    seed: integer(v.seed, 42, 'seed'),
  });
  return v.json ? JSON.stringify(report) : formatCollaborationReport(report);
}
