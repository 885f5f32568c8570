import type { RequestObservation, RequestObserver, RequestStart } from '../observe/observer.js';
import type { Usage } from '../providers/provider.js';
import { addToCell, percentile, type MinuteCell } from './latency-stats.js';

/** One request as the live view shows it. Prompt text only when prompt capture is on. */
export interface DecisionRecord {
  seq: number;
  at: string;
  requestId: string;
  route: string;
  model: string;
  tenant: string;
  strategy: string;
  decision: string | null;
  score: number | null;
  backend: string | null;
  attempts: number;
  status: number;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Every call's cost: the answer's, failed stages', the cost of routing. */
  cost: number;
  prompt?: string;
}

const MINUTE = 60_000;
const KEEP_MINUTES = 180;
const PROMPT_CHARS = 2000;

export interface RecentOptions {
  capacity?: number;
  captureContent?: boolean;
  now?: () => number;
  random?: () => number;
}

/**
 * The console's live view of this process: the last few hundred decisions
 * and, per minute, requests, errors and latency percentiles by route and
 * backend (three hours). An observer, so the proxy feeds it like savings
 * and tracing.
 */
export class RecentDecisions implements RequestObserver {
  readonly #ring: DecisionRecord[] = [];
  readonly #minutes = new Map<number, Map<string, MinuteCell>>();
  #seq = 0;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(private readonly opts: RecentOptions = {}) {
    this.#capacity = opts.capacity ?? 500;
    this.#now = opts.now ?? Date.now;
    this.#random = opts.random ?? Math.random;
  }

  get captureContent(): boolean {
    return Boolean(this.opts.captureContent);
  }

  begin(start: RequestStart): RequestObservation {
    let attempts = 0;
    let cost = 0;
    let usage: Usage | undefined;
    return {
      routed: () => undefined,
      attempt: (a) => {
        attempts++;
        return {
          headers: undefined,
          settled: (u, c) => {
            cost += c;
            if (a.purpose === 'answer' && u) usage = u;
          },
          end: () => undefined,
        };
      },
      end: (e) =>
        this.#push({
          seq: 0,
          at: new Date(this.#now()).toISOString(),
          requestId: start.requestId,
          route: start.route.id,
          model: start.model,
          tenant: start.tenant,
          strategy: start.route.strategy.name,
          decision: e.decision ?? null,
          score: e.score !== undefined && Number.isFinite(e.score) ? e.score : null,
          backend: e.backend ?? null,
          attempts,
          status: e.status,
          latencyMs: performance.now() - start.startedAt,
          promptTokens: usage?.promptTokens ?? null,
          completionTokens: usage?.completionTokens ?? null,
          cost,
          ...(this.opts.captureContent ? { prompt: start.prompt().slice(0, PROMPT_CHARS) } : {}),
        }),
    };
  }

  /** Decisions after `after` (a seq), oldest first, at most `limit`. */
  list(after: number, limit = 200): { decisions: DecisionRecord[]; last: number } {
    const decisions = this.#ring.filter((d) => d.seq > after).slice(-limit);
    return { decisions, last: this.#seq };
  }

  /** Per minute of the last `minutes`: requests, errors and latency percentiles by route and backend. */
  stats(minutes: number) {
    const now = this.#now();
    const from = Math.floor(now / MINUTE) * MINUTE - (Math.min(minutes, KEEP_MINUTES) - 1) * MINUTE;
    const series = new Map<string, { route: string; backend: string; points: unknown[] }>();
    for (const [minute, cells] of [...this.#minutes].sort(([a], [b]) => a - b)) {
      if (minute < from) continue;
      for (const [key, cell] of cells) {
        const [route, backend] = key.split('\u001f') as [string, string];
        let s = series.get(key);
        if (!s) series.set(key, (s = { route, backend, points: [] }));
        const sorted = [...cell.latencies].sort((a, b) => a - b);
        s.points.push({
          minute: new Date(minute).toISOString(),
          requests: cell.requests,
          errors: cell.errors,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
        });
      }
    }
    return { from: new Date(from).toISOString(), series: [...series.values()] };
  }

  #push(record: DecisionRecord): void {
    record.seq = ++this.#seq;
    this.#ring.push(record);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    const minute = Math.floor(this.#now() / MINUTE) * MINUTE;
    let cells = this.#minutes.get(minute);
    if (!cells) {
      this.#minutes.set(minute, (cells = new Map<string, MinuteCell>()));
      for (const m of this.#minutes.keys()) if (m < minute - KEEP_MINUTES * MINUTE) this.#minutes.delete(m);
    }
    const key = `${record.route}\u001f${record.backend ?? '-'}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { requests: 0, errors: 0, latencies: [] }));
    // Errors the operator acts on: the gateway's or a backend's (5xx) and refusals for load (429).
    addToCell(cell, record.latencyMs, record.status >= 500 || record.status === 429, this.#random);
  }
}
