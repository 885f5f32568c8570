import type { CompiledBackend } from '../../table/backend.js';
import type { Random, Strategy } from '../../table/strategy.js';
import { weightedOrder } from '../common/weighted-order.js';

/** Lowest priority tier first; weighted random order within each tier. */
export function priorityStrategy(backends: readonly CompiledBackend[]): Strategy {
  const tiers = [...new Set(backends.map((b) => b.priority))]
    .sort((a, b) => a - b)
    .map((p) => backends.filter((b) => b.priority === p));
  return {
    name: 'priority',
    rank: (random: Random) =>
      tiers.length === 1 ? weightedOrder(backends, random) : tiers.flatMap((t) => weightedOrder(t, random)),
  };
}
