import type { KubeObject, Reflector, ReflectorOptions } from './reflector.js';

/** Reflector timings (tests shorten them). */
export type ReflectorTiming = Pick<ReflectorOptions<never>, 'resyncMs' | 'stallMs' | 'backoffMinMs' | 'backoffMaxMs'>;

/** One reflector per watched namespace, or one for the whole cluster (`undefined`) when none is given. */
export const namespaceScopes = (namespaces: readonly string[] | undefined): (string | undefined)[] =>
  namespaces?.length ? [...namespaces] : [undefined];

/** The reflectors of one kind over every scope, read as one cache. */
export class ScopedReflectors<T extends KubeObject> {
  readonly #all: Reflector<T>[];

  constructor(scopes: readonly (string | undefined)[], make: (namespace: string | undefined) => Reflector<T>) {
    this.#all = scopes.map(make);
  }

  get(namespace: string, name: string): T | undefined {
    for (const r of this.#all) {
      const item = r.get(namespace, name);
      if (item) return item;
    }
    return undefined;
  }

  values(): T[] {
    return this.#all.flatMap((r) => r.values());
  }

  /** True once every scope has been listed. */
  get ready(): boolean {
    return this.#all.every((r) => r.ready);
  }

  onChange(listener: () => void): void {
    for (const r of this.#all) r.onChange(listener);
  }

  start(): void {
    for (const r of this.#all) r.start();
  }

  /** Resolves once every scope has been listed. */
  async synced(): Promise<void> {
    await Promise.all(this.#all.map((r) => r.synced()));
  }

  stop(): void {
    for (const r of this.#all) r.stop();
  }
}
