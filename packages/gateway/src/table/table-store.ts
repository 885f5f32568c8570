import { EMPTY_TABLE, type RouteTable } from './route.js';

/** A request's hold on the table it started with; released once, when the request (or its stream) ends. */
export interface TableLease {
  readonly table: RouteTable;
  readonly release: () => void;
}

interface Slot {
  table: RouteTable;
  inflight: number;
  retired: boolean;
}

/**
 * Holds the current RouteTable. Requests take a lease on it, so a table
 * that is replaced while requests still use it is reported drained
 * (`onDrained`) only when the last of them is done: what it alone holds
 * (gRPC channels, ONNX sessions) can then be closed.
 */
export class RouteTableStore {
  #slot: Slot;
  #loaded: boolean;
  readonly #drained = new Set<(table: RouteTable) => void>();

  constructor(initial?: RouteTable) {
    this.#slot = { table: initial ?? EMPTY_TABLE, inflight: 0, retired: false };
    this.#loaded = initial !== undefined;
  }

  current(): RouteTable {
    return this.#slot.table;
  }

  /** The current table, held until `release()`. */
  acquire(): TableLease {
    const slot = this.#slot;
    slot.inflight++;
    let released = false;
    return {
      table: slot.table,
      release: () => {
        if (released) return;
        released = true;
        if (--slot.inflight === 0 && slot.retired) this.#emitDrained(slot.table);
      },
    };
  }

  /** True once a configuration has been accepted (drives /readyz). */
  get loaded(): boolean {
    return this.#loaded;
  }

  swap(table: RouteTable): void {
    const old = this.#slot;
    this.#slot = { table, inflight: 0, retired: false };
    this.#loaded = true;
    old.retired = true;
    if (old.inflight === 0 && old.table !== EMPTY_TABLE) this.#emitDrained(old.table);
  }

  /** Tells `listener` about every replaced table once no request holds it. */
  onDrained(listener: (table: RouteTable) => void): () => void {
    this.#drained.add(listener);
    return () => this.#drained.delete(listener);
  }

  #emitDrained(table: RouteTable): void {
    for (const listener of this.#drained) listener(table);
  }
}
