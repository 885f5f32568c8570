import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, RouteTable } from '../table/route.js';
import { BackendHealth, type HealthState } from './backend-health.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { RetryBudget } from './retry-budget.js';

export interface BackendState {
  health: BackendHealth;
  limit: ConcurrencyLimit;
}

export interface RouteState {
  budget: RetryBudget;
  backends: Map<string, BackendState>;
}

/**
 * The mutable side of routing (health, concurrency slots, retry budgets),
 * kept apart from the immutable RouteTable so that a reload keeps what was
 * learnt about each backend. Keyed by route id and backend name.
 */
export class RouteStates {
  readonly #routes = new Map<string, RouteState>();

  /** Creates, updates or drops states to match `table`. */
  sync(table: RouteTable): void {
    const seen = new Set<string>();
    for (const route of table.routes) {
      seen.add(route.id);
      const state = this.#routes.get(route.id);
      if (!state) {
        this.#routes.set(route.id, newRouteState(route));
        continue;
      }
      state.budget.configure(route.resilience.retryBudget);
      const names = new Set(route.backends.map((b) => b.name));
      for (const name of state.backends.keys()) if (!names.has(name)) state.backends.delete(name);
      for (const b of route.backends) {
        const existing = state.backends.get(b.name);
        if (existing) {
          existing.health.configure(route.resilience.outlier);
          existing.limit.configure(b.maxConcurrency, b.maxQueue);
        } else {
          state.backends.set(b.name, newBackendState(route, b));
        }
      }
    }
    for (const id of this.#routes.keys()) if (!seen.has(id)) this.#routes.delete(id);
  }

  route(route: CompiledRoute): RouteState {
    let state = this.#routes.get(route.id);
    if (!state) {
      // A table that was not synced (tests building tables by hand): start fresh.
      state = newRouteState(route);
      this.#routes.set(route.id, state);
    }
    return state;
  }

  backend(route: CompiledRoute, backend: CompiledBackend): BackendState {
    return this.route(route).backends.get(backend.name) as BackendState;
  }

  /** route id -> backend name -> health state, for /readyz and metrics. */
  snapshot(now: number): Record<string, Record<string, HealthState>> {
    const out: Record<string, Record<string, HealthState>> = {};
    for (const [id, state] of this.#routes) {
      const backends: Record<string, HealthState> = {};
      for (const [name, b] of state.backends) backends[name] = b.health.state(now);
      out[id] = backends;
    }
    return out;
  }

  *entries(): Iterable<[string, string, BackendState]> {
    for (const [id, state] of this.#routes) for (const [name, b] of state.backends) yield [id, name, b];
  }
}

function newBackendState(route: CompiledRoute, b: CompiledBackend): BackendState {
  return { health: new BackendHealth(route.resilience.outlier), limit: new ConcurrencyLimit(b.maxConcurrency, b.maxQueue) };
}

function newRouteState(route: CompiledRoute): RouteState {
  return {
    budget: new RetryBudget(route.resilience.retryBudget),
    backends: new Map(route.backends.map((b) => [b.name, newBackendState(route, b)])),
  };
}
