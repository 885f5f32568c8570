import type { NativeRouter } from '@switchboard/native';
import type { CompiledBackend } from './backend.js';

/** Source of randomness in [0, 1); injectable so tests are deterministic. */
export type Random = () => number;

/**
 * A strategy ranks a route's backends for one request: the first is tried
 * first, and failover walks the rest in order. Strategies are built once per
 * route when a table is built, so per-request work is only the ranking.
 * Ranking is synchronous unless the strategy has to ask a remote model
 * (embeddings, a Triton-served classifier).
 */
export interface Strategy {
  readonly name: string;
  rank(random: Random, request: RankRequest): CompiledBackend[] | Promise<CompiledBackend[]>;
  /**
   * True when `rank` may call a remote model (an embeddings server, a
   * Triton-served classifier): explaining it is then a real call, and
   * POST /v1/route/explain counts it as a request.
   */
  readonly asksModel?: boolean;
  /** Names a learned router answers to in RouteLLM's `router-<name>-<threshold>` model syntax. */
  readonly routerNames?: readonly string[];
  /**
   * The native router whose outputs the request's one native call computes
   * together with the prompt's token count (read back with `routerOutputs`).
   */
  readonly router?: RouterUse;
  /** Told how each answered request went (latency, cost), for strategies that learn online. */
  observe?(outcome: CallOutcome): void;
  /** A quality score for an earlier answer (POST /v1/feedback). */
  feedback?(outcome: CallOutcome, quality: number): void;
}

/**
 * A strategy's native router and what it reads of it: the strong/weak score
 * alone (threshold: `routerOutputs()` is `[score]`), or every output (class
 * probabilities, each model's quality). A knn, cluster or irt router's
 * outputs are per-model qualities, so the two differ.
 */
export interface RouterUse {
  native: NativeRouter;
  reads: 'score' | 'outputs';
}

/** One answered request, as online learners see it. */
export interface CallOutcome {
  /** The gateway's own id of the request (never the client's x-request-id). */
  requestId: string;
  /** Who made the request: `tenant/key`, '' when auth is off. */
  owner: string;
  backend: string;
  /** Learner context (contextual bandits); '' when none. */
  context: string;
  latencyMs: number;
  /** US dollars, from the backend's prices and the usage reported. */
  cost: number;
  /** Non-streaming answers: the prompt and the answer's text, for an evaluator (computed only if read). */
  texts?: (() => { prompt: string; answer: string }) | undefined;
}

/**
 * What a strategy may read about one request, and where it leaves its
 * decision (for response headers, metrics and later feedback).
 */
export interface RankRequest {
  /** The text a learned router and the rules read (extracted once per request). */
  prompt(): string;
  /** The strategy's `router` outputs for the prompt, from the request's one native call. */
  routerOutputs(): readonly number[];
  /** A request header, lower-case name; undefined when absent. */
  header(name: string): string | undefined;
  /** The body's OpenAI `metadata` object, when given. */
  metadata: Readonly<Record<string, unknown>> | undefined;
  /** Prompt tokens with a backend's tokenizer (the native count, made once per tokenizer). */
  promptTokens(backend: CompiledBackend): number;
  /** max_tokens / max_completion_tokens of the request; 0 when unset. */
  maxOutputTokens: number;
  /** A threshold from the request (`router-mf-0.3`), in place of the route's. */
  thresholdOverride?: number | undefined;
  /** Set by learned strategies. */
  score?: number;
  /** What the strategy decided: strong / weak, a class, a semantic route, rule:<name>, a backend. */
  decision?: string;
  /** Learner context the decision was made in (bandits). */
  context?: string;
  /**
   * Set only when the request asks to be explained (POST /v1/route/explain,
   * `x-switchboard-explain`): strategies write the figures behind their
   * decision here. Absent otherwise, so the hot path writes nothing.
   */
  explain?: ExplainSink | undefined;
}

/** Where a strategy leaves the figures behind one decision (see RankRequest.explain). */
export interface ExplainSink {
  /** A figure of one backend: its score, predicted quality, expected cost, utility, bandit statistics. */
  backend(name: string, figures: Readonly<Record<string, number | string | boolean>>): void;
  /** A figure of the decision as a whole: the threshold, class probabilities, similarities, the rules tested. */
  note(key: string, value: unknown): void;
}
