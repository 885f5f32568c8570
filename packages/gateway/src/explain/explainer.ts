import type { Candidate, SkipReason } from '../proxy/candidates.js';
import type { ExplainSink, RankRequest } from '../table/strategy.js';

export type Figures = Readonly<Record<string, number | string | boolean>>;

/**
 * Collects what a strategy says about one decision (RankRequest.explain)
 * and what the proxy then did with the ranking; renders it for
 * POST /v1/route/explain and, in short, for the `x-switchboard-explanation`
 * header of a request that sent `x-switchboard-explain: 1`.
 */
export class DecisionExplainer implements ExplainSink {
  readonly figures = new Map<string, Record<string, number | string | boolean>>();
  readonly notes: Record<string, unknown> = {};
  ranking: string[] = [];
  skipped: { backend: string; reason: SkipReason }[] = [];

  constructor(private readonly strategy: string) {}

  backend(name: string, figures: Figures): void {
    this.figures.set(name, { ...this.figures.get(name), ...figures });
  }

  note(key: string, value: unknown): void {
    this.notes[key] = value;
  }

  /** The backends the walk will try, in order, and the ones health or fit removed. */
  ranked(pending: readonly Candidate[], skipped: readonly { backend: string; reason: SkipReason }[]): void {
    this.ranking = pending.map((c) => c.backend.name);
    this.skipped = [...skipped];
  }

  /** One header line: strategy, decision, score, the ranking and who answered. Header-safe text only. */
  summary(rank: RankRequest, answered: string): string {
    const parts = [`strategy=${safe(this.strategy)}`];
    if (rank.decision) parts.push(`decision=${safe(rank.decision)}`);
    if (rank.score !== undefined && Number.isFinite(rank.score)) parts.push(`score=${rank.score.toFixed(4)}`);
    const threshold = this.notes.threshold;
    if (typeof threshold === 'number') parts.push(`threshold=${threshold}`);
    if (this.ranking.length) parts.push(`ranking=${this.ranking.map(safe).join(',')}`);
    if (this.skipped.length) parts.push(`skipped=${this.skipped.map((s) => `${safe(s.backend)}:${s.reason}`).join(',')}`);
    parts.push(`answered=${safe(answered)}`);
    return parts.join('; ').slice(0, 2000);
  }
}

/** Names are Kubernetes names, but class labels and rule names may hold anything: percent-encode what a header may not carry. */
function safe(text: string): string {
  return /^[\w.:/-]*$/.test(text) ? text : encodeURIComponent(text);
}

/** An explainer on the request when the client asked for one (`x-switchboard-explain: 1`); undefined otherwise. */
export function explainerFor(header: string | undefined, strategy: string, rank: RankRequest): DecisionExplainer | undefined {
  if (header === undefined || header === '0' || header === 'false') return undefined;
  const explainer = new DecisionExplainer(strategy);
  rank.explain = explainer;
  return explainer;
}
