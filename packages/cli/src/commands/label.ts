import type { CompiledBackend, CompiledRoute } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { makeCall, Spend } from '../labelling/call.js';
import { estimateCost } from '../labelling/estimate.js';
import type { JudgeMode } from '../labelling/judge.js';
import type { LabelPlan } from '../labelling/labeller.js';
import { dollars } from '../labelling/progress.js';
import type { ReferenceGrading } from '../labelling/reference.js';
import { findRoute, loadRoutes } from '../labelling/route-backends.js';
import { doneIds, readLabelInput, RowWriter } from '../labelling/rows.js';
import { runLabelling, type RunSummary } from '../labelling/run.js';
import { ConfigError } from '../standalone/config-error.js';

export interface LabelOptions {
  routes: string;
  route: string | undefined;
  prompts: string;
  out: string;
  backends: string[] | undefined;
  strong: string | undefined;
  /** A backend of the route, or ROUTE/BACKEND of another route in the routes. */
  judge: string | undefined;
  mode: JudgeMode;
  grading: ReferenceGrading | undefined;
  concurrency: number;
  retries: number;
  budget: number | undefined;
  maxTokens: number;
  judgeMaxTokens: number;
  timeoutMs: number;
  source: string | undefined;
  limit: number | undefined;
  dryRun: boolean;
  /** Waits between retries (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<unknown>;
}

export interface LabelReport extends RunSummary {
  route: string;
  models: string[];
  /** Prompts already in the output file, skipped. */
  alreadyDone: number;
  /** This run's prompts. */
  toLabel: number;
  estimate: number;
}

function pick(route: CompiledRoute, names: string[] | undefined): CompiledBackend[] {
  if (!names) return [...route.backends];
  return names.map((n) => {
    const b = route.backends.find((x) => x.name === n);
    if (!b)
      throw new ConfigError(`route ${route.id} has no backend "${n}" (it has ${route.backends.map((x) => x.name).join(', ')})`);
    return b;
  });
}

/** The pairwise reference: the named backend, else the dearest by output price (the strong model, as a rule). */
function referenceOf(backends: CompiledBackend[], name: string | undefined): CompiledBackend {
  if (name !== undefined) {
    const b = backends.find((x) => x.name === name);
    if (!b)
      throw new ConfigError(`--strong ${name} is not one of the answering backends (${backends.map((x) => x.name).join(', ')})`);
    return b;
  }
  return backends.reduce((a, b) => (b.outputPricePerToken > a.outputPricePerToken ? b : a));
}

/**
 * `switchboard label`: the route's backends answer each prompt through their
 * real APIs, each answer is graded (by the reference answer, else by the
 * judge), and the rows `switchboard train` reads are appended to `out`.
 */
export async function runLabel(opts: LabelOptions, log: Logger, progress: (line: string) => void): Promise<LabelReport> {
  const routes = await loadRoutes(opts.routes, log);
  try {
    const route = findRoute(routes.table, opts.route);
    const backends = pick(route, opts.backends);
    const models = backends.map((b) => b.model);
    const twice = models.find((m, i) => models.indexOf(m) !== i);
    if (twice)
      throw new ConfigError(`two backends serve model "${twice}": rows are keyed by model, so choose one with --backends`);
    let judge: CompiledBackend | undefined;
    if (opts.judge !== undefined) {
      const cut = opts.judge.lastIndexOf('/');
      const judgeRoute = cut < 0 ? route : findRoute(routes.table, opts.judge.slice(0, cut));
      [judge] = pick(judgeRoute, [opts.judge.slice(cut + 1)]);
    }
    const plan: LabelPlan = {
      backends,
      reference: opts.mode === 'pairwise' ? referenceOf(backends, opts.strong) : undefined,
      judge,
      mode: opts.mode,
      grading: opts.grading,
      maxTokens: opts.maxTokens,
      judgeMaxTokens: opts.judgeMaxTokens,
      source: opts.source ?? `label/${route.id.replace(/^default\//, '')}`,
    };
    const all = readLabelInput(opts.prompts);
    const done = doneIds(opts.out);
    const todo = all.filter((i) => !done.has(i.id)).slice(0, opts.limit);
    if (!judge && todo.some((i) => i.reference === undefined))
      throw new ConfigError('some prompts have no reference answer: name a judge backend with --judge');
    const estimate = estimateCost(todo, plan);
    progress(
      `label: ${todo.length} prompts x ${backends.length} backends of ${route.id} (${done.size} already in ${opts.out}); ` +
        `at most ${dollars(estimate.total)}${opts.budget === undefined ? '' : `, budget ${dollars(opts.budget)}`}`,
    );
    const report = { route: route.id, models, alreadyDone: done.size, toLabel: todo.length, estimate: estimate.total };
    if (opts.dryRun) return { ...report, labelled: 0, failed: [], leftForBudget: 0, spent: 0 };
    const spend = new Spend();
    const call = makeCall(routes.ask, spend, {
      concurrency: opts.concurrency,
      timeoutMs: opts.timeoutMs,
      retry: {
        retries: opts.retries,
        ...(opts.sleep ? { sleep: opts.sleep } : {}),
        onRetry: (err, attempt) => log.warn({ err: err.message, attempt }, 'call failed; retrying'),
      },
    });
    const writer = new RowWriter(opts.out);
    const summary = await runLabelling(todo, plan, call, spend, {
      concurrency: opts.concurrency,
      budget: opts.budget,
      write: (row) => writer.write(row),
      progress,
    });
    return { ...report, ...summary };
  } finally {
    await routes.close();
  }
}

/** The closing lines a person reads. */
export function formatLabelReport(r: LabelReport, out: string): string {
  const lines = [
    `${r.labelled} prompts labelled into ${out} (${r.models.join(', ')}), spent ${dollars(r.spent)} (estimate at most ${dollars(r.estimate)})`,
  ];
  if (r.leftForBudget)
    lines.push(`stopped at the budget: ${r.leftForBudget} prompts left; run again with a larger --budget to go on`);
  if (r.failed.length) {
    lines.push(`${r.failed.length} prompts failed after their retries (a re-run tries them again):`);
    for (const f of r.failed.slice(0, 5)) lines.push(`  ${f.id}: ${f.error}`);
  }
  return lines.join('\n');
}
