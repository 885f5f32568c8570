/** Latencies kept per minute and series: a uniform sample of at most this many (Vitter's reservoir). */
const SAMPLE = 1000;

export interface MinuteCell {
  requests: number;
  errors: number;
  latencies: number[];
}

/** Adds one request to a cell, keeping a uniform sample of its latencies. */
export function addToCell(cell: MinuteCell, latencyMs: number, failed: boolean, random: () => number): void {
  cell.requests++;
  if (failed) cell.errors++;
  if (cell.latencies.length < SAMPLE) cell.latencies.push(latencyMs);
  else {
    const j = Math.floor(random() * cell.requests);
    if (j < SAMPLE) cell.latencies[j] = latencyMs;
  }
}

/** The p-th percentile (0..100) by nearest rank; null for no data. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}
