export interface ProgressState {
  done: number;
  failed: number;
  /** Prompts this run set out to label (those not already in the output). */
  total: number;
  elapsedMs: number;
  /** US dollars spent so far by this run. */
  spent: number;
  budget: number | undefined;
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};

export const dollars = (usd: number): string => `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;

/** One progress line: a bar, rows, time, the ETA at the pace so far, and spend against the budget. */
export function progressLine(p: ProgressState, width = 24): string {
  const finished = p.done + p.failed;
  const share = p.total ? finished / p.total : 1;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = finished && finished < p.total ? ` ETA ${clock((p.elapsedMs / finished) * (p.total - finished))}` : '';
  const failed = p.failed ? `, ${p.failed} failed` : '';
  const budget = p.budget === undefined ? '' : ` of ${dollars(p.budget)}`;
  return `${bar} ${finished}/${p.total} prompts${failed} ${clock(p.elapsedMs)}${eta} spent ${dollars(p.spent)}${budget}`;
}
