import type { CompiledBackend } from '../../table/backend.js';

/**
 * Precomputed rankings "this backend first, then the others by priority",
 * one per backend, so strategies that pick one backend allocate nothing per
 * request.
 */
export function firstOf(backends: readonly CompiledBackend[]): (b: CompiledBackend) => CompiledBackend[] {
  const byPriority = [...backends].sort((a, b) => a.priority - b.priority);
  const rankings = new Map(backends.map((b) => [b, [b, ...byPriority.filter((x) => x !== b)]]));
  return (b) => rankings.get(b) ?? byPriority;
}
