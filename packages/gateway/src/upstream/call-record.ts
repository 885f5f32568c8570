import type { CompiledBackend } from '../table/backend.js';
import type { CallMetrics } from '../metrics/metrics.js';
import { costOf, type Usage } from '../request/usage.js';
import type { Operation } from '../request/operations.js';

/** Usage, cost and metrics of one successful upstream call. */
export class CallRecord {
  #usage: Usage | undefined;
  #generatedText = '';

  constructor(
    private readonly metrics: CallMetrics,
    private readonly op: Operation,
    private readonly backend: CompiledBackend,
    private readonly promptTokens: number,
    private readonly upstreamStart: number,
    /** The most completion tokens the request allowed (`outputTokenCap`); 0: no cap. */
    private readonly outputCap: number,
    /** Told the final usage and cost (rate limits and budgets reconcile with it). */
    private readonly onSettled: (usage: Usage | undefined, cost: number) => void = () => undefined,
  ) {}

  streamEvent(payload: unknown): void {
    this.#usage = this.capped(this.op.usageOf(payload)) ?? this.#usage;
    if (!this.#usage) this.#generatedText += this.op.deltaText(payload);
  }

  /** Usage known from elsewhere (a translated stream), in place of what the payloads carried. */
  useUsage(usage: Usage): void {
    this.#usage = this.capped(usage);
  }

  complete(json: unknown): void {
    this.#usage = this.capped(this.op.usageOf(json));
    if (!this.#usage) this.#generatedText = this.op.completionText(json);
  }

  /**
   * Records usage (counted natively when the backend reported none), cost
   * and duration. A stream that failed after it started still used what it
   * sent: that is counted and priced like a complete answer.
   */
  finish(status: number, endedAt = performance.now()): void {
    const m = this.metrics;
    const seconds = (endedAt - this.upstreamStart) / 1000;
    m.requests(status).inc();
    const failed = status >= 400 && status !== 499;
    (failed ? m.failedDuration(status) : status === 200 ? m.duration : m.failedDuration(status)).observe(seconds);
    if (failed && !this.#usage && !this.#generatedText) {
      this.onSettled(undefined, 0);
      return;
    }
    const usage = this.counted;
    m.inputTokens.observe(usage.promptTokens);
    if (usage.cachedTokens) m.cachedInputTokens.observe(usage.cachedTokens);
    if (this.op.name !== 'embeddings') m.outputTokens.observe(usage.completionTokens);
    if (usage.reasoningTokens) m.reasoningTokens.observe(usage.reasoningTokens);
    const cost = costOf(usage, this.backend);
    if (cost > 0) m.cost.inc(cost);
    this.onSettled(usage, cost);
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  /** The usage the backend reported, else the gateway's own count (the prompt as routed, the text generated so far). */
  get counted(): Usage {
    return (
      this.#usage ??
      (this.capped({
        promptTokens: this.promptTokens,
        completionTokens: this.#generatedText ? this.backend.tokenizer.count(this.#generatedText) : 0,
      }) as Usage)
    );
  }

  /** `usage` with its completion tokens no more than the request allowed. */
  private capped(usage: Usage | undefined): Usage | undefined {
    const cap = this.outputCap;
    if (!usage || !cap || usage.completionTokens <= cap) return usage;
    const out: Usage = { ...usage, completionTokens: cap };
    if (out.reasoningTokens !== undefined) out.reasoningTokens = Math.min(out.reasoningTokens, cap);
    return out;
  }
}
