import type { Spend } from './call.js';
import { labelOne, type Call, type LabelPlan } from './labeller.js';
import { progressLine, type ProgressState } from './progress.js';
import type { LabelItem, LabelledRow } from './rows.js';

export interface RunOptions {
  /** Prompts labelled at once (their calls also share the call limit). */
  concurrency: number;
  /** US dollars: prompts are started only while the spend, plus what the prompts in flight and the next are expected to cost, stays within it. */
  budget: number | undefined;
  write(row: LabelledRow): void;
  progress(line: string): void;
  now?: () => number;
}

export interface RunSummary {
  labelled: number;
  failed: { id: string; error: string }[];
  /** Prompts left unstarted because the budget would have been passed. */
  leftForBudget: number;
  spent: number;
}

const rowCost = (row: LabelledRow) => Object.values(row.cost_usd).reduce((a, b) => a + b, row.judge_cost_usd);

/**
 * Labels the prompts `concurrency` at a time, writing each finished row at
 * once (so a run cut short keeps what it finished), and reports progress
 * after every prompt. A prompt that still fails after its retries is
 * reported, not written: the next run tries it again.
 *
 * The budget is held with what prompts really cost: the first prompt runs
 * alone to measure it (the estimate before the run is an upper bound, often
 * far above), then a prompt starts only while spend + (in flight + 1) x the
 * mean cost of the finished prompts stays within the budget.
 */
export async function runLabelling(
  items: readonly LabelItem[],
  plan: LabelPlan,
  call: Call,
  spend: Spend,
  opts: RunOptions,
): Promise<RunSummary> {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const state: ProgressState = { done: 0, failed: 0, total: items.length, elapsedMs: 0, spent: 0, budget: opts.budget };
  const failed: RunSummary['failed'] = [];
  let next = 0;
  let inFlight = 0;
  let finishedCost = 0;
  let stopped = false;
  // Workers waiting for a prompt to finish before the budget can be judged.
  let finished: { promise: Promise<void>; resolve: () => void } | undefined;
  const onFinish = (): Promise<void> => {
    if (!finished) {
      let resolve = () => undefined as void;
      const promise = new Promise<void>((r) => (resolve = r));
      finished = { promise, resolve };
    }
    return finished.promise;
  };
  /** 'go', 'wait' (for data from a prompt in flight) or 'stop'. */
  const budgetSays = (): 'go' | 'wait' | 'stop' => {
    const budget = opts.budget;
    if (budget === undefined) return 'go';
    if (spend.total >= budget) return 'stop';
    if (!state.done) return inFlight ? 'wait' : 'go';
    const mean = finishedCost / state.done;
    if (spend.total + (inFlight + 1) * mean <= budget) return 'go';
    return inFlight ? 'wait' : 'stop';
  };
  const report = () => {
    state.elapsedMs = now() - start;
    state.spent = spend.total;
    opts.progress(progressLine(state));
  };
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopped) {
      const say = budgetSays();
      if (say === 'stop') {
        stopped = true;
        return;
      }
      if (say === 'wait') {
        await onFinish();
        continue;
      }
      const item = items[next++] as LabelItem;
      inFlight++;
      try {
        const row = await labelOne(item, plan, call);
        opts.write(row);
        finishedCost += rowCost(row);
        state.done++;
      } catch (err) {
        state.failed++;
        failed.push({ id: item.id, error: (err as Error).message });
      } finally {
        inFlight--;
        const f = finished;
        finished = undefined;
        f?.resolve();
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  return { labelled: state.done, failed, leftForBudget: stopped ? items.length - next : 0, spent: spend.total };
}
