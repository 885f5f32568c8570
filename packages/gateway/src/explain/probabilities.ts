import type { CompiledBackend } from '../table/backend.js';

/**
 * The chance that each backend is first in a `priority` or `weighted`
 * ranking (weighted random order: weight / total weight of its tier;
 * zero-weight backends are first only in a tier where every weight is 0,
 * and then the first declared one is).
 */
export function firstChances(strategy: string, backends: readonly CompiledBackend[]): Map<string, number> | undefined {
  if (strategy !== 'priority' && strategy !== 'weighted') return undefined;
  const lowest = Math.min(...backends.map((b) => b.priority));
  const tier = strategy === 'weighted' ? backends : backends.filter((b) => b.priority === lowest);
  const total = tier.reduce((sum, b) => sum + Math.max(0, b.weight), 0);
  const chances = new Map(backends.map((b) => [b.name, 0]));
  if (total === 0) chances.set((tier[0] as CompiledBackend).name, 1);
  else for (const b of tier) chances.set(b.name, Math.max(0, b.weight) / total);
  return chances;
}
