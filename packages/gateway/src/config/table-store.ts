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
    this.#table = table;
    this.#loaded = true;
    for (const listener of this.#listeners) listener(table);
  }

  onSwap(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
