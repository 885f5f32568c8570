import type { Resource } from '../strategies/build-context.js';

interface Entry {
  made: Promise<Resource<unknown>>;
  holders: number;
}

/**
 * Resources that builds share (ONNX sessions, a Triton classifier's gRPC
 * channel, remote utterance vectors), by the hash of what made them: a
 * rebuild that asks for the same one gets the same one, and it is closed
 * when its last holder lets go. A failed make is forgotten, so the next
 * build tries again.
 */
export class ResourcePool {
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();

  async hold<T>(key: string, make: () => Resource<T> | Promise<Resource<T>>): Promise<T> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { made: Promise.resolve().then(make), holders: 0 };
      this.#entries.set(key, entry);
    }
    entry.holders++;
    try {
      return (await entry.made).value as T;
    } catch (err) {
      this.release(key);
      throw err;
    }
  }

  release(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.holders--;
    if (entry.holders > 0) return;
    this.#entries.delete(key);
    this.#closing.add(closeEntry(entry, this.#closing));
  }

  /** Resolves once every close under way is done (tests; a sink flushes when closed). */
  async settled(): Promise<void> {
    await Promise.all([...this.#closing]);
  }

  /** Closes every resource still alive (process shutdown) and waits for every close under way. */
  async closeAll(): Promise<void> {
    for (const [key, entry] of [...this.#entries]) {
      this.#entries.delete(key);
      this.#closing.add(closeEntry(entry, this.#closing));
    }
    await Promise.all([...this.#closing]);
  }

  /** How many resources are alive (tests, metrics). */
  get size(): number {
    return this.#entries.size;
  }
}

/** A resource's close, awaited (sinks flush), its failure ignored; forgotten once done. */
function closeEntry(entry: Entry, closing: Set<Promise<void>>): Promise<void> {
  const done: Promise<void> = entry.made
    .then((r) => r.close?.())
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => closing.delete(done));
  return done;
}
