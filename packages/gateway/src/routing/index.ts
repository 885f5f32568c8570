import type { CompiledBackend } from '../config/route-table.js';
import { priorityStrategy } from './priority.js';
import type { Strategy } from './strategy.js';
import { weightedStrategy } from './weighted.js';

export type { RankRequest, Random, Strategy } from './strategy.js';

const FACTORIES: Record<string, (backends: readonly CompiledBackend[]) => Strategy> = {
  priority: priorityStrategy,
  weighted: weightedStrategy,
};

/** Builds the strategy named in `spec.routing.strategy`; undefined when unknown. */
export function createStrategy(name: string, backends: readonly CompiledBackend[]): Strategy | undefined {
  return FACTORIES[name]?.(backends);
}
