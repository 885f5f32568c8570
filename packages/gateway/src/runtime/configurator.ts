import type { Problem } from '@switchboard/api';
import { compileRoutes, type CompileOptions } from '../plan/compile.js';
import { resolveSecrets, type RouteSource, type SecretResolver } from '../plan/secrets.js';
import { planRouting } from '../strategies/registry.js';
import type { RouteTable } from '../table/route.js';
import type { RouteTableStore } from '../table/table-store.js';
import type { TableBuilder } from './table-builder.js';

/**
 * `whole`: any problem rejects the new configuration and the last good table
 * stays (a routes folder). `per-route`: a bad route is left out alone (the
 * cluster's LLMRoutes).
 */
export type ApplyMode = 'whole' | 'per-route';

export interface ApplyOutcome {
  /** A new table is being served. */
  swapped: boolean;
  /** The table being served now. */
  table: RouteTable;
  /** Every route's problems by id (empty = fine), for status conditions. */
  problemsByRoute: Map<string, Problem[]>;
  problems: Problem[];
  rejected: string[];
}

/**
 * The configuration path, shared by the routes folder and the controller:
 * keys read, plan compiled (pure), and — unless the plan's fingerprint is
 * the one already served — the table built and swapped in. An unrelated
 * Secret event, a relist or a re-applied route therefore builds nothing.
 * Calls are serialised: one configuration at a time.
 */
export class Configurator {
  #queue: Promise<unknown> = Promise.resolve();
  /**
   * The plan behind the table being served, whether its build found problems
   * the plan had not, and the problems of routes it serves all the same (a
   * router alias withheld: plan/router-names.ts claimRouterNames).
   */
  #served: { fingerprint: string; buildProblems: boolean; servedProblems: Map<string, Problem[]> } | undefined;

  constructor(
    private readonly store: RouteTableStore,
    private readonly builder: TableBuilder,
    private readonly onTable: (table: RouteTable) => void = () => undefined,
    /** What the deployment lets routes do (where sampling files may go). */
    private readonly compileOptions: CompileOptions = {},
  ) {
    store.onDrained((table) => builder.retire(table));
  }

  /** The table being served. */
  current(): RouteTable {
    return this.store.current();
  }

  apply(sources: readonly RouteSource[], secrets: SecretResolver, mode: ApplyMode): Promise<ApplyOutcome> {
    const next = this.#queue.then(() => this.#apply(sources, secrets, mode));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #apply(sources: readonly RouteSource[], secrets: SecretResolver, mode: ApplyMode): Promise<ApplyOutcome> {
    const plan = compileRoutes(sources, resolveSecrets(sources, secrets), planRouting, this.compileOptions);
    const current = this.store.current();
    if (mode === 'whole' && plan.problems.length) return { ...plan, swapped: false, table: current };
    const served = this.#served;
    // The same plan as the table being served, and its build went through: nothing to build.
    if (served && this.store.loaded && served.fingerprint === plan.fingerprint && !served.buildProblems) {
      const problemsByRoute = new Map([...plan.problemsByRoute, ...served.servedProblems]);
      return { ...plan, problemsByRoute, swapped: false, table: current };
    }
    const built = await this.builder.build(plan, current.version + 1);
    if (mode === 'whole' && built.problems.length) {
      this.builder.discard(built.table);
      return { ...built, swapped: false, table: current };
    }
    this.builder.adopt(built.table);
    this.store.swap(built.table);
    const servedProblems = new Map(
      built.table.routes.flatMap((r) => {
        const ps = built.problemsByRoute.get(r.id);
        return ps?.length ? [[r.id, ps] as const] : [];
      }),
    );
    this.#served = { fingerprint: plan.fingerprint, buildProblems: built.problems.length > plan.problems.length, servedProblems };
    this.onTable(built.table);
    return { ...built, swapped: true };
  }
}
