// switchboard train --router collaboration: a plan per task/difficulty
// context from a replay (docs/collaboration.md, "Offline training").
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { nonNegative, parseOptions, usage, UsageError } from '../cli/args.js';
import { contextsOf, gatewayHelpers, readReplay, reward, type ReplayPrompt } from '../routing/collaboration-replay.js';
import { mean } from '../routing/stats.js';

/** A plan's means over some prompts. */
export interface PlanStats {
  quality: number;
  cost: number;
  /** quality − λ·cost */
  reward: number;
}

export interface ContextStats {
  /** Prompts of the replay in the context. */
  prompts: number;
  plan: string;
  /** Fewer than minRows prompts: the overall best plan. */
  fallback: boolean;
  /** The chosen plan's means on the context's prompts (absent when it has none). */
  stats?: PlanStats;
  /** The second best plan on the context's prompts, for a person judging how close the choice was. */
  runnerUp?: PlanStats & { plan: string };
}

/** The policy file: what the gateway's routing.collaboration.policy reads (kind, choices), and figures for people. */
export interface CollaborationPolicyFile {
  kind: 'collaboration-policy';
  /** The plan key per `task/difficulty` context. */
  choices: Record<string, string>;
  costWeight: number;
  minRows: number;
  /** The plan with the best mean over every prompt: the choice of contexts with fewer than minRows prompts. */
  fallback: string;
  trainedOn: { rows: number; prompts: number; plans: number; contexts: Record<string, number> };
  contexts: Record<string, ContextStats>;
  plans: Record<string, PlanStats>;
}

export interface TrainSettings {
  costWeight: number;
  minRows: number;
}

function statsOf(prompts: readonly ReplayPrompt[], plan: string, costWeight: number): PlanStats {
  const runs = prompts.map((p) => p.runs.get(plan)!);
  return {
    quality: mean(runs.map((r) => r.quality)),
    cost: mean(runs.map((r) => r.cost)),
    reward: mean(runs.map((r) => reward(r, costWeight))),
  };
}

/** Plans best first: mean reward, then the lower cost, then the controller's candidate order. */
function ranked(prompts: readonly ReplayPrompt[], plans: readonly string[], costWeight: number) {
  return plans
    .map((plan, order) => ({ plan, order, ...statsOf(prompts, plan, costWeight) }))
    .sort((a, b) => b.reward - a.reward || a.cost - b.cost || a.order - b.order);
}

/**
 * The contextual empirical-risk policy: per context, the plan with the
 * highest mean quality − λ·cost over the context's prompts; contexts with
 * fewer than minRows prompts (none included) take the best plan overall.
 */
export function trainPolicy(
  prompts: readonly ReplayPrompt[],
  plans: readonly string[],
  s: TrainSettings,
  rows = prompts.length * plans.length,
): CollaborationPolicyFile {
  if (!prompts.length) throw new Error('no prompts to train on');
  const overall = ranked(prompts, plans, s.costWeight);
  const best = overall[0]!;
  const choices: Record<string, string> = {};
  const contexts: Record<string, ContextStats> = {};
  const counts: Record<string, number> = {};
  for (const context of contextsOf(prompts)) {
    const mine = prompts.filter((p) => p.context === context);
    counts[context] = mine.length;
    const order = mine.length ? ranked(mine, plans, s.costWeight) : [];
    const fallback = mine.length < s.minRows;
    const chosen = fallback ? order.find((r) => r.plan === best.plan) : order[0];
    const other = order.find((r) => r !== chosen);
    choices[context] = chosen?.plan ?? best.plan;
    contexts[context] = {
      prompts: mine.length,
      plan: choices[context],
      fallback,
      ...(chosen ? { stats: { quality: chosen.quality, cost: chosen.cost, reward: chosen.reward } } : {}),
      ...(other ? { runnerUp: { plan: other.plan, quality: other.quality, cost: other.cost, reward: other.reward } } : {}),
    };
  }
  return {
    kind: 'collaboration-policy',
    choices,
    costWeight: s.costWeight,
    minRows: s.minRows,
    fallback: best.plan,
    trainedOn: { rows, prompts: prompts.length, plans: plans.length, contexts: counts },
    contexts,
    plans: Object.fromEntries(overall.map((r) => [r.plan, { quality: r.quality, cost: r.cost, reward: r.reward }])),
  };
}

export interface TrainOptions extends TrainSettings {
  data: string[];
  out: string;
}

/** Reads the replay, trains, writes the policy; returns it. */
export async function runCollaborationTrain(o: TrainOptions, progress: (line: string) => void): Promise<CollaborationPolicyFile> {
  const replay = readReplay(o.data, await gatewayHelpers());
  for (const note of replay.notes) progress(`note: ${note}`);
  const policy = trainPolicy(replay.prompts, replay.plans, o, replay.rows);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(policy, null, 2)}\n`);
  progress(formatPolicy(policy));
  progress(`wrote ${o.out} (routing.collaboration.policy)`);
  return policy;
}

const fmt = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));

/** The choices as a table: context, prompts, plan, its mean quality and cost, the runner-up. */
export function formatPolicy(p: CollaborationPolicyFile): string {
  const head = `${p.trainedOn.prompts} prompts x ${p.trainedOn.plans} plans (${p.trainedOn.rows} rows), cost weight ${p.costWeight}, min rows ${p.minRows}, fallback ${p.fallback}`;
  const rows = Object.entries(p.contexts).map(([context, c]) => [
    context,
    String(c.prompts),
    c.fallback ? `${c.plan} (fallback)` : c.plan,
    fmt(c.stats?.quality, 3),
    fmt(c.stats && c.stats.cost * 1000, 4),
    c.runnerUp ? `${c.runnerUp.plan} ${c.runnerUp.reward.toFixed(3)}` : '-',
  ]);
  const header = ['context', 'prompts', 'plan', 'quality', '$/1k', 'runner-up (q-λc)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [head, line(header), ...rows.map(line)].join('\n');
}

const options = {
  data: { type: 'string', multiple: true },
  router: { type: 'string' },
  out: { type: 'string' },
  'cost-weight': { type: 'string' },
  'min-rows': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `switchboard train --router collaboration ...`: its own options. */
export async function collaborationTrain(args: string[], progress: (line: string) => void): Promise<void> {
  const v = parseOptions('train --router collaboration', options, args);
  if (!v.data?.length) throw new UsageError('train needs --data FILE (one or more replays)');
  const minRows = nonNegative(v['min-rows'], 5, 'min-rows');
  if (!Number.isInteger(minRows)) throw new UsageError(`--min-rows must be an integer, got "${v['min-rows']}"`);
  await runCollaborationTrain(
    {
      data: v.data,
      out: v.out ?? usage('train --router collaboration needs --out FILE (the policy, e.g. policy.json)'),
      costWeight: nonNegative(v['cost-weight'], 0, 'cost-weight'),
      minRows,
    },
    progress,
  );
}
