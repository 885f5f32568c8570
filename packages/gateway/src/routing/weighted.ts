import type { CompiledBackend } from '../config/route-table.js';
import type { Random, Strategy } from './strategy.js';
import { weightedOrder } from './weighted-order.js';

/** Weighted random order over all backends, ignoring priority tiers. */
export function weightedStrategy(backends: readonly CompiledBackend[]): Strategy {
  return { name: 'weighted', rank: (random: Random) => weightedOrder(backends, random) };
}
