import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { LLMRouteStatus } from '@switchboard/api';
import type { RouteStates } from '@switchboard/gateway';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION, routeId, type LLMRouteObject } from './llmroute-object.js';
import type { ReconciledRoute } from './route-reconciler.js';
import { desiredStatus, sameStatus } from './status.js';

type BackendHealth = NonNullable<LLMRouteStatus['backends']>;

export interface StatusWriterOptions {
  custom: Pick<CustomObjectsApi, 'replaceNamespacedCustomObjectStatus' | 'getNamespacedCustomObject'>;
  routes: { values(): LLMRouteObject[] };
  outcomes: () => ReadonlyMap<string, ReconciledRoute>;
  states: Pick<RouteStates, 'entries'>;
  isLeader: () => boolean;
  log: Logger;
}

/** Attempts per route and pass when the object keeps changing under the write. */
const CONFLICT_ATTEMPTS = 3;

const codeOf = (err: unknown) => (err as { code?: number }).code;

/**
 * Writes LLMRoute status, on the leader only. A route is skipped when its
 * outcome is for another generation than the one reflected (the reconcile
 * that follows the change will write) and when its stored status is already
 * the desired one. A 409 (the object changed since it was reflected) is
 * retried on a fresh read; a 404 means the route was deleted, and is done.
 */
export class StatusWriter {
  readonly #opts: StatusWriterOptions;
  #running: Promise<void> = Promise.resolve();
  #queued = false;

  constructor(opts: StatusWriterOptions) {
    this.#opts = opts;
  }

  /** Brings every route's status up to date, soon; passes asked for while one is pending coalesce. */
  sync(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#running = this.#running
      .then(() => {
        this.#queued = false;
        return this.#pass();
      })
      .catch((err: unknown) => this.#opts.log.warn({ err: (err as Error).message }, 'status pass failed'));
  }

  /** Resolves once the passes asked for so far are done. */
  idle(): Promise<void> {
    return this.#running;
  }

  async #pass(): Promise<void> {
    const now = new Date();
    const health = this.#health();
    const outcomes = this.#opts.outcomes();
    for (const obj of this.#opts.routes.values()) {
      if (!this.#opts.isLeader()) return;
      const id = routeId(obj);
      const outcome = outcomes.get(id);
      if (!outcome || outcome.generation !== obj.metadata.generation) continue;
      await this.#write(obj, (previous) =>
        desiredStatus({ ...outcome, backends: outcome.programmed ? health.get(id) : undefined }, previous, now),
      ).catch((err: unknown) => this.#opts.log.warn({ route: id, err: (err as Error).message }, 'status update failed'));
    }
  }

  /** Each backend's health by route, as this replica's gateway sees it. */
  #health(): Map<string, BackendHealth> {
    const health = new Map<string, BackendHealth>();
    const at = performance.now();
    for (const [route, backend, state] of this.#opts.states.entries()) {
      const list = health.get(route) ?? [];
      list.push({ name: backend, health: state.health.state(at) });
      health.set(route, list);
    }
    return health;
  }

  /** The route as stored now; undefined once deleted. */
  async #read(
    ref: Parameters<StatusWriterOptions['custom']['getNamespacedCustomObject']>[0],
  ): Promise<LLMRouteObject | undefined> {
    try {
      const obj: unknown = await this.#opts.custom.getNamespacedCustomObject(ref);
      return obj as LLMRouteObject;
    } catch (err) {
      if (codeOf(err) === 404) return undefined;
      throw err;
    }
  }

  async #write(reflected: LLMRouteObject, desired: (previous: LLMRouteStatus | undefined) => LLMRouteStatus): Promise<void> {
    const id = routeId(reflected);
    const { namespace, name } = reflected.metadata;
    const ref = { group: GROUP, version: VERSION, namespace, plural: PLURAL, name };
    let obj = reflected;
    for (let attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
      const status = desired(obj.status);
      if (sameStatus(obj.status, status)) return;
      try {
        // The body's resourceVersion makes this a compare-and-swap.
        await this.#opts.custom.replaceNamespacedCustomObjectStatus({ ...ref, body: { ...obj, status } });
        return;
      } catch (err) {
        if (codeOf(err) === 404) return; // deleted: its DELETED event drops it
        if (codeOf(err) !== 409 || attempt === CONFLICT_ATTEMPTS) {
          this.#opts.log.warn({ route: id, err: (err as Error).message }, 'status update failed');
          return;
        }
      }
      const fresh = await this.#read(ref);
      // Deleted, or its spec moved on: the reconcile of the new generation writes instead.
      if (!fresh || fresh.metadata.generation !== reflected.metadata.generation) return;
      obj = fresh;
    }
  }
}
