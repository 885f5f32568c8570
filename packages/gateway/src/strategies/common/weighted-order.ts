import type { CompiledBackend } from '../../table/backend.js';
import type { Random } from '../../table/strategy.js';

/**
 * Orders backends by weighted random sampling without replacement: the
 * first is picked with probability weight / total, the second among the
 * rest, and so on. Zero-weight backends come last, in declared order.
 */
export function weightedOrder(backends: readonly CompiledBackend[], random: Random): CompiledBackend[] {
  if (backends.length === 1) return [backends[0] as CompiledBackend];
  const pool = backends.filter((b) => b.weight > 0);
  const zero = backends.filter((b) => b.weight <= 0);
  let total = pool.reduce((sum, b) => sum + b.weight, 0);
  const out: CompiledBackend[] = [];
  while (pool.length) {
    let target = random() * total;
    let i = 0;
    for (; i < pool.length - 1; i++) {
      target -= (pool[i] as CompiledBackend).weight;
      if (target < 0) break;
    }
    const [picked] = pool.splice(i, 1) as [CompiledBackend];
    total -= picked.weight;
    out.push(picked);
  }
  return out.concat(zero);
}
