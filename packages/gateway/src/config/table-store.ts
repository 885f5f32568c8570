import { EMPTY_TABLE, type RouteTable } from './route-table.js';

type Listener = (table: RouteTable) => void;

/** Holds the current RouteTable; readers take a snapshot per request. */
export class RouteTableStore {
  #table: RouteTable;
  #loaded: boolean;
  readonly #listeners = new Set<Listener>();

  constructor(initial?: RouteTable) {
    this.#table = initial ?? EMPTY_TABLE;
    this.#loaded = initial !== undefined;
  }

  current(): RouteTable {
    return this.#table;
  }

  /** True once a configuration has been accepted (drives /readyz). */
  get loaded(): boolean {
    return this.#loaded;
  }

  swap(table: RouteTable): void {
    const old = this.#table;
    this.#table = table;
    this.#loaded = true;
    for (const listener of this.#listeners) listener(table);
    closeReplaced(old, table);
  }

  onSwap(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Strategies holding connections (a Triton-served classifier's gRPC channel)
 * are closed once the table that made them is replaced — after the longest
 * request that may still be using them has had its time.
 */
function closeReplaced(old: RouteTable, current: RouteTable): void {
  const kept = new Set(current.routes.map((r) => r.strategy));
  const closing = old.routes.filter((r) => r.strategy.close && !kept.has(r.strategy));
  if (!closing.length) return;
  const graceMs = Math.max(...closing.map((r) => r.timeouts.total));
  setTimeout(() => {
    for (const r of closing) r.strategy.close?.();
  }, graceMs).unref();
}
