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
  rank(random: Random): CompiledBackend[];
}
