// Replays of collaboration plans (docs/collaboration.md, "Replay format"):
// JSON Lines, one row per (prompt, plan) run. Read and checked here, with
// each prompt's context as the gateway's controller would give it, and the
// folds of cross-validation by prompt.
import { readFileSync } from 'node:fs';
import type { CollaborationContexts, Difficulty } from '@switchboard/gateway';
import { seeded } from './stats.js';

/** One run of one plan on one prompt (averaged when a replay has several). */
export interface Run {
  quality: number;
  cost: number;
  latencyMs: number | undefined;
  /** Rows averaged into it. */
  rows: number;
}

/** A prompt of a replay: its context and each plan's run. */
export interface ReplayPrompt {
  prompt: string;
  task: string;
  difficulty: Difficulty;
  /** `task/difficulty`, the key of a policy's choices. */
  context: string;
  runs: ReadonlyMap<string, Run>;
}

export interface Replay {
  /** In the order they first appear. */
  prompts: ReplayPrompt[];
  /** The plans every prompt was run under, in the controller's candidate order. */
  plans: string[];
  rows: number;
  /** What was dropped or computed, for a person. */
  notes: string[];
}

/** What the offline commands need from the gateway (imported only when a replay is read). */
export interface ReplayGateway {
  contexts: () => CollaborationContexts;
  planKeyProblem: (key: string) => string | undefined;
  comparePlanKeys: (a: string, b: string) => number;
}

export async function gatewayHelpers(): Promise<ReplayGateway> {
  const g = await import('@switchboard/gateway');
  return { contexts: () => g.collaborationContexts(), planKeyProblem: g.planKeyProblem, comparePlanKeys: g.comparePlanKeys };
}

const FIELDS = ['prompt', 'plan', 'quality', 'cost', 'latency_ms', 'task', 'difficulty', 'answer'];
const DIFFICULTIES: readonly string[] = ['easy', 'medium', 'hard'];

interface Row {
  prompt: string;
  plan: string;
  quality: number;
  cost: number;
  latencyMs: number | undefined;
  task: string | undefined;
  difficulty: Difficulty | undefined;
}

/** One line as a row; throws the reason (without the place) when it is not one. */
function parseRow(line: string, planKeyProblem: ReplayGateway['planKeyProblem']): Row {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('a row is a JSON object');
  const o = json as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !FIELDS.includes(k));
  if (unknown !== undefined) throw new Error(`unknown field "${unknown.slice(0, 40)}" (a row has ${FIELDS.join(', ')})`);
  const { prompt, plan, quality, cost, latency_ms: latency, task, difficulty, answer } = o;
  if (typeof prompt !== 'string' || !prompt.trim()) throw new Error('"prompt" must be a non-empty string');
  if (typeof plan !== 'string') throw new Error('"plan" must be a plan key such as "fusion:3:mixed"');
  const problem = planKeyProblem(plan);
  if (problem) throw new Error(`"plan" ${JSON.stringify(plan.slice(0, 40))}: ${problem}`);
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(quality) || quality < 0 || quality > 1) throw new Error('"quality" must be a number from 0 to 1');
  if (!finite(cost) || cost < 0) throw new Error('"cost" must be a non-negative number (US dollars)');
  if (latency !== undefined && (!finite(latency) || latency < 0)) {
    throw new Error('"latency_ms" must be a non-negative number when given');
  }
  if (task !== undefined && (typeof task !== 'string' || !/^[^/#\s]+$/.test(task))) {
    throw new Error('"task" must be a task class name (no spaces, "/" or "#") when given');
  }
  if (difficulty !== undefined && (typeof difficulty !== 'string' || !DIFFICULTIES.includes(difficulty))) {
    throw new Error('"difficulty" must be easy, medium or hard when given');
  }
  if (answer !== undefined && typeof answer !== 'string') throw new Error('"answer" must be a string when given');
  return { prompt, plan, quality, cost, latencyMs: latency, task, difficulty: difficulty as Difficulty | undefined };
}

interface Building {
  prompt: string;
  task: { value: string; at: string } | undefined;
  difficulty: { value: Difficulty; at: string } | undefined;
  runs: Map<string, Run>;
}

/** A prompt's task or difficulty: the first row's, which every other row that gives one must repeat. */
function agree<T extends string>(
  had: { value: T; at: string } | undefined,
  value: T,
  field: string,
  at: string,
): { value: T; at: string } {
  if (had && had.value !== value) {
    throw new Error(`${at}: "${field}" is "${value}" but this prompt's ${field} is "${had.value}" at ${had.at}`);
  }
  return had ?? { value, at };
}

/**
 * Reads replay files: every row checked (errors name the file and line),
 * rows of the same prompt and plan averaged, a prompt's given task and
 * difficulty the same on all its rows and computed as the gateway would
 * where absent, and only the plans that every prompt was run under kept.
 */
export function readReplay(files: readonly string[], gw: ReplayGateway): Replay {
  const byPrompt = new Map<string, Building>();
  let rows = 0;
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const at = `${file}:${i + 1}`;
      let row: Row;
      try {
        row = parseRow(line, gw.planKeyProblem);
      } catch (err) {
        throw new Error(`${at}: ${(err as Error).message}`);
      }
      rows++;
      let p = byPrompt.get(row.prompt);
      if (!p) byPrompt.set(row.prompt, (p = { prompt: row.prompt, task: undefined, difficulty: undefined, runs: new Map() }));
      if (row.task !== undefined) p.task = agree(p.task, row.task, 'task', at);
      if (row.difficulty !== undefined) p.difficulty = agree(p.difficulty, row.difficulty, 'difficulty', at);
      const run = p.runs.get(row.plan);
      if (!run) {
        p.runs.set(row.plan, { quality: row.quality, cost: row.cost, latencyMs: row.latencyMs, rows: 1 });
      } else {
        // Repeated runs of a plan on a prompt: their mean.
        const n = run.rows;
        run.quality = (run.quality * n + row.quality) / (n + 1);
        run.cost = (run.cost * n + row.cost) / (n + 1);
        run.latencyMs =
          run.latencyMs !== undefined && row.latencyMs !== undefined ? (run.latencyMs * n + row.latencyMs) / (n + 1) : undefined;
        run.rows = n + 1;
      }
    });
  }
  if (!byPrompt.size) throw new Error(`no rows in ${files.join(', ')}`);
  const notes: string[] = [];
  const all = [...byPrompt.values()];
  const everyPlan = new Set(all.flatMap((p) => [...p.runs.keys()]));
  const plans = [...everyPlan].filter((plan) => all.every((p) => p.runs.has(plan))).sort(gw.comparePlanKeys);
  for (const plan of [...everyPlan].sort(gw.comparePlanKeys)) {
    if (plans.includes(plan)) continue;
    const missing = all.filter((p) => !p.runs.has(plan)).length;
    notes.push(`plan ${plan} dropped: ${missing} of ${all.length} prompts were not run under it`);
  }
  if (!plans.length) throw new Error('no plan was run on every prompt: a replay needs each prompt run under the same plans');
  const repeated = all.reduce((n, p) => n + [...p.runs.values()].filter((r) => r.rows > 1).length, 0);
  if (repeated) notes.push(`${repeated} (prompt, plan) pairs had several rows: their mean is used`);
  let contexts: CollaborationContexts | undefined;
  let computed = 0;
  const prompts = all.map((p): ReplayPrompt => {
    if (!p.task || !p.difficulty) {
      contexts ??= gw.contexts();
      computed++;
    }
    const task = p.task?.value ?? (contexts as CollaborationContexts).taskOf(p.prompt);
    const difficulty = p.difficulty?.value ?? (contexts as CollaborationContexts).difficultyOf(p.prompt);
    const runs = new Map(plans.map((plan) => [plan, p.runs.get(plan) as Run]));
    return { prompt: p.prompt, task, difficulty, context: `${task}/${difficulty}`, runs };
  });
  if (computed) notes.push(`${computed} prompts without a task or difficulty: computed as the gateway does by default`);
  return { prompts, plans, rows, notes };
}

/** quality − λ·cost: the objective (the gateway's reward with only a cost weight). */
export const reward = (run: Run, costWeight: number): number => run.quality - costWeight * run.cost;

/** Every context of a replay's tasks: each task seen, at each difficulty (seen or not). */
export function contextsOf(prompts: readonly ReplayPrompt[]): string[] {
  const tasks = [...new Set(prompts.map((p) => p.task))].sort();
  return tasks.flatMap((t) => DIFFICULTIES.map((d) => `${t}/${d}`));
}

/** K folds by prompt: `fold[i]` is prompt i's fold; a seeded shuffle, then round robin (sizes differ by at most one). */
export function foldsOf(prompts: number, k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`--folds must be an integer of at least 2, got ${k}`);
  if (k > prompts) throw new Error(`--folds ${k} is more than the replay's ${prompts} prompts`);
  const order = Array.from({ length: prompts }, (_, i) => i);
  const random = seeded(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const fold = new Array<number>(prompts).fill(0);
  order.forEach((p, pos) => (fold[p] = pos % k));
  return fold;
}
