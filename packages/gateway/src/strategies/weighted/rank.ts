import type { CompiledBackend } from '../../table/backend.js';
import type { Random, Strategy } from '../../table/strategy.js';
import { weightedOrder } from '../common/weighted-order.js';

/** Weighted random order over all backends, ignoring priority tiers. */
export function weightedStrategy(backends: readonly CompiledBackend[]): Strategy {
  return { name: 'weighted', rank: (random: Random) => weightedOrder(backends, random) };
}
