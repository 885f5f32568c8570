import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteStates } from '../resilience/route-states.js';

// OpenTelemetry GenAI semantic conventions (gen_ai.client.*) in Prometheus
// form: dots become underscores and the unit "s" becomes a _seconds suffix.
// Label names follow the OTel attributes they stand for.
const GENAI_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'switchboard_route',
  'switchboard_backend',
] as const;

const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05];

export interface CallLabels {
  operation: string;
  provider: string;
  model: string;
  route: string;
  backend: string;
}

/** Metric children bound to one (operation, route, backend): no label hashing per request. */
export interface CallMetrics {
  duration: { observe(seconds: number): void };
  failedDuration(status: number): { observe(seconds: number): void };
  inputTokens: { observe(tokens: number): void };
  /** Input tokens read from a prompt cache (part of the input). */
  cachedInputTokens: { observe(tokens: number): void };
  outputTokens: { observe(tokens: number): void };
  /** Reasoning tokens (part of the output). */
  reasoningTokens: { observe(tokens: number): void };
  timeToFirstChunk: { observe(seconds: number): void };
  requests(status: number): { inc(): void };
  decisions: { inc(): void };
  cost: { inc(amount: number): void };
  overhead: { observe(seconds: number): void };
}

/** The gateway's Prometheus metrics, in a registry of their own (one per app). */
export class GatewayMetrics {
  readonly #calls = new Map<string, CallMetrics>();

  readonly registry = new Registry();

  readonly duration = new Histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'GenAI operation duration: from the gateway sending the request to the backend until the last byte of its answer.',
    labelNames: [...GENAI_LABELS, 'error_type'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly tokens = new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Number of input and output tokens used, per request (from the backend usage, counted natively when absent).',
    labelNames: [...GENAI_LABELS, 'gen_ai_token_type'],
    buckets: TOKEN_BUCKETS,
    registers: [this.registry],
  });

  readonly timeToFirstChunk = new Histogram({
    name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
    help: 'Time from sending a streaming request to the backend until its first chunk arrives.',
    labelNames: GENAI_LABELS,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'switchboard_requests_total',
    help: 'Requests answered by the gateway, by route, backend and HTTP status (499: client went away).',
    labelNames: ['route', 'backend', 'status'],
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'switchboard_routing_decisions_total',
    help: 'Backends chosen by the routing strategy.',
    labelNames: ['route', 'backend', 'strategy'],
    registers: [this.registry],
  });

  readonly cost = new Counter({
    name: 'switchboard_cost_total',
    help: 'Spend computed from usage and the backend prices (currency of the route prices).',
    labelNames: ['route', 'backend'],
    registers: [this.registry],
  });

  readonly overhead = new Histogram({
    name: 'switchboard_gateway_overhead_seconds',
    help: 'Time the gateway itself adds to a request: total handling time minus time waiting on the backend.',
    labelNames: ['route'],
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'switchboard_retries_total',
    help: 'Requests moved on to another backend after a failure, by the failed backend and the failure class.',
    labelNames: ['route', 'backend', 'reason'],
    registers: [this.registry],
  });

  readonly routerDecisions = new Counter({
    name: 'switchboard_router_decisions_total',
    help: 'Routing decisions by route: strong/weak (threshold), the class (classifier), the semantic route, the backend (predictive, bandit), rule:<name>, stage-<n> (cascade).',
    labelNames: ['route', 'decision'],
    registers: [this.registry],
  });

  readonly collaborationRuns = new Counter({
    name: 'switchboard_collaboration_runs_total',
    help: 'Collaboration runs by route, mode and outcome (answered, failed, refused).',
    labelNames: ['route', 'mode', 'outcome'],
    registers: [this.registry],
  });

  readonly collaborationStage = new Histogram({
    name: 'switchboard_collaboration_stage_duration_seconds',
    help: 'Wall time of each collaboration stage (answers, rounds, critique, judge, synthesis).',
    labelNames: ['route', 'mode', 'stage'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly collaborationOverhead = new Histogram({
    name: 'switchboard_collaboration_overhead_seconds',
    help: 'Orchestration time of a collaboration before its final stage: wall time minus the time its stages waited on backends.',
    labelNames: ['route', 'mode'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly samplingRecords = new Counter({
    name: 'switchboard_sampling_records_total',
    help: 'Prompt sampling records by route and outcome: written, dropped (sink closed, queue full, larger than the file cap) or failed (the file or Redis refused it).',
    labelNames: ['route', 'outcome'],
    registers: [this.registry],
  });

  readonly feedback = new Counter({
    name: 'switchboard_feedback_total',
    help: 'Quality scores received on POST /v1/feedback, by route.',
    labelNames: ['route'],
    registers: [this.registry],
  });

  readonly retryBudgetExhausted = new Counter({
    name: 'switchboard_retry_budget_exhausted_total',
    help: 'Retries not made because the route retry budget was spent.',
    labelNames: ['route'],
    registers: [this.registry],
  });

  readonly skipped = new Counter({
    name: 'switchboard_backend_skipped_total',
    help: 'Backends passed over for a request: context_window, ejected, rate_limited (Retry-After), saturated (concurrency limit).',
    labelNames: ['route', 'backend', 'reason'],
    registers: [this.registry],
  });

  readonly limited = new Counter({
    name: 'switchboard_rate_limited_total',
    help: 'Requests refused by a rate limit or budget, by scope (API, tenant, route) and limit (requests, tokens, spend).',
    labelNames: ['scope', 'limit'],
    registers: [this.registry],
  });

  readonly limitStoreErrors = new Counter({
    name: 'switchboard_limit_store_errors_total',
    help: 'Limit store (Redis) failures, by the configured failure mode: open (admitted unchecked) or closed (refused).',
    labelNames: ['mode'],
    registers: [this.registry],
  });

  /** Reports backend health from `states` at scrape time: no cost per request. */
  watchHealth(states: RouteStates): void {
    const registry = this.registry;
    new Gauge({
      name: 'switchboard_backend_health',
      help: 'Backend health as seen by outlier detection: 1 for the current state, 0 otherwise.',
      labelNames: ['route', 'backend', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        const now = performance.now();
        for (const [route, backend, s] of states.entries()) {
          const current = s.health.state(now);
          for (const state of ['healthy', 'ejected', 'half-open', 'rate-limited'])
            this.set({ route, backend, state }, state === current ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'switchboard_backend_in_flight',
      help: 'Requests in flight to a backend that has a concurrency limit, and requests queued for it.',
      labelNames: ['route', 'backend', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [route, backend, s] of states.entries()) {
          this.set({ route, backend, kind: 'active' }, s.limit.active);
          this.set({ route, backend, kind: 'queued' }, s.limit.queued);
        }
      },
    });
  }

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Children for one kind of call, created on first use and then reused. */
  forCall(l: CallLabels, strategy: string): CallMetrics {
    const key = `${l.operation}\u0000${l.route}\u0000${l.backend}\u0000${l.model}\u0000${strategy}`;
    let bound = this.#calls.get(key);
    if (!bound) {
      const g = this.genAiLabels(l);
      const rb = { route: l.route, backend: l.backend };
      const byStatus = new Map<number, { inc(): void }>();
      bound = {
        duration: this.duration.labels({ ...g, error_type: '' }),
        failedDuration: (status) => this.duration.labels({ ...g, error_type: String(status) }),
        inputTokens: this.tokens.labels({ ...g, gen_ai_token_type: 'input' }),
        outputTokens: this.tokens.labels({ ...g, gen_ai_token_type: 'output' }),
        cachedInputTokens: this.tokens.labels({ ...g, gen_ai_token_type: 'cached_input' }),
        reasoningTokens: this.tokens.labels({ ...g, gen_ai_token_type: 'reasoning' }),
        timeToFirstChunk: this.timeToFirstChunk.labels(g),
        requests: (status) => {
          let child = byStatus.get(status);
          if (!child) byStatus.set(status, (child = this.requests.labels({ ...rb, status: String(status) })));
          return child;
        },
        decisions: this.decisions.labels({ ...rb, strategy }),
        cost: this.cost.labels(rb),
        overhead: this.overhead.labels({ route: l.route }),
      };
      this.#calls.set(key, bound);
    }
    return bound;
  }

  /** Forgets bound children (after a configuration change, routes may be gone). */
  resetBindings(): void {
    this.#calls.clear();
  }

  genAiLabels(l: CallLabels): Record<(typeof GENAI_LABELS)[number], string> {
    return {
      gen_ai_operation_name: l.operation,
      gen_ai_provider_name: l.provider,
      gen_ai_request_model: l.model,
      switchboard_route: l.route,
      switchboard_backend: l.backend,
    };
  }
}
