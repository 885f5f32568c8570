import type { Capability, CompiledBackend } from '../table/backend.js';
import type { Release } from '../resilience/concurrency-limit.js';
import type { RouteState } from '../resilience/route-states.js';

export type SkipReason = 'unsupported' | 'context_window' | 'ejected' | 'rate_limited' | 'saturated';

export interface Candidate {
  backend: CompiledBackend;
  /** The one request that tests a half-open backend. */
  probe: boolean;
}

export interface Slot extends Candidate {
  release: Release;
}

/**
 * The strategy's ranking, filtered by health: healthy and half-open
 * backends in rank order; ejected or rate-limited ones only when nothing
 * else is left ("panic" mode: trying a doubtful backend beats failing).
 */
export function orderByHealth(
  ranking: readonly CompiledBackend[],
  state: RouteState,
  now: number,
  skip: (b: CompiledBackend, r: SkipReason) => void,
): Candidate[] {
  const usable: Candidate[] = [];
  const doubtful: Candidate[] = [];
  for (const backend of ranking) {
    const health = state.backends.get(backend.name)?.health.state(now) ?? 'healthy';
    if (health === 'healthy') usable.push({ backend, probe: false });
    else if (health === 'half-open') usable.push({ backend, probe: true });
    else {
      doubtful.push({ backend, probe: false });
      skip(backend, health === 'ejected' ? 'ejected' : 'rate_limited');
    }
  }
  return usable.length ? usable : doubtful;
}

/**
 * Takes the next candidate that has a free concurrency slot. When every
 * remaining candidate is busy, waits in the queue of the first one whose
 * queue has room (at most `waitMs`). Candidates are removed as they are
 * taken or found unusable; undefined when none is left.
 */
export async function takeSlot(
  pending: Candidate[],
  state: RouteState,
  waitMs: number,
  skip: (b: CompiledBackend, r: SkipReason) => void,
): Promise<Slot | undefined> {
  for (;;) {
    for (let i = 0; i < pending.length; i++) {
      const c = pending[i] as Candidate;
      const release = state.backends.get(c.backend.name)?.limit.tryAcquire();
      if (release) {
        pending.splice(i, 1);
        return { ...c, release };
      }
    }
    const i = pending.findIndex((c) => state.backends.get(c.backend.name)?.limit.canQueue());
    if (i < 0) {
      for (const c of pending.splice(0)) skip(c.backend, 'saturated');
      return undefined;
    }
    const [c] = pending.splice(i, 1) as [Candidate];
    const release = await state.backends.get(c.backend.name)?.limit.acquire(waitMs);
    if (release) return { ...c, release };
    skip(c.backend, 'saturated');
  }
}

/**
 * Removes the candidates that cannot serve this request at all: a protocol
 * without the endpoint, a missing capability (tools, images, JSON mode), or
 * a context window the prompt plus max_tokens does not fit.
 */
export function dropUnfit(
  pending: Candidate[],
  fit: { supports: (b: CompiledBackend) => boolean; needs: readonly Capability[]; tokens: (b: CompiledBackend) => number },
  skip: (b: CompiledBackend, r: SkipReason) => void,
): void {
  for (let i = pending.length - 1; i >= 0; i--) {
    const b = (pending[i] as Candidate).backend;
    if (!fit.supports(b) || fit.needs.some((n) => !b.capabilities.has(n))) {
      pending.splice(i, 1);
      skip(b, 'unsupported');
    } else if (b.contextWindow !== undefined && fit.tokens(b) > b.contextWindow) {
      pending.splice(i, 1);
      skip(b, 'context_window');
    }
  }
}
