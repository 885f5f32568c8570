import type { CompiledBackend } from '../config/route-table.js';

/** Source of randomness in [0, 1); injectable so tests are deterministic. */
export type Random = () => number;

/**
 * A strategy ranks a route's backends for one request: the first is tried
 * first, and failover walks the rest in order. Strategies are built once per
 * route when a table is compiled, so per-request work is only the ranking.
 */
export interface Strategy {
  readonly name: string;
  rank(random: Random, request?: RankRequest): CompiledBackend[];
  /** Names a learned router answers to in RouteLLM's `router-<name>-<threshold>` model syntax. */
  readonly routerNames?: readonly string[];
}

/**
 * What a strategy may read about one request, and where a learned
 * strategy leaves its decision (for response headers and metrics).
 */
export interface RankRequest {
  /** The text a learned router scores (computed only when asked for). */
  prompt(): string;
  /** A threshold from the request (`router-mf-0.3`), in place of the route's. */
  thresholdOverride?: number | undefined;
  /** Set by learned strategies. */
  score?: number;
  decision?: 'strong' | 'weak';
}
