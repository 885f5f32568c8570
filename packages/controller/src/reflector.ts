import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** The parts of a Kubernetes object a reflector needs. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** Which objects of the kind are reflected: the API server filters, so the others never reach this process. */
export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ReflectorOptions<T extends KubeObject> {
  /** What is reflected, for logs ("llmroutes", "secrets"). */
  kind: string;
  /** A full list (with the same selectors as the watch) and its resourceVersion. */
  list: (selectors: Selectors) => Promise<{ items: T[]; resourceVersion: string }>;
  /** The watch path, e.g. /apis/switchboard.dev/v1alpha1/llmroutes. */
  watchPath: string;
  /** Given to both the list and the watch (default: every object of the kind). */
  selectors?: Selectors;
  /** Applied to every object before it is kept (client-go's SetTransform): drop what the cache need not hold. */
  transform?: (item: T) => T;
  kubeConfig: KubeConfig;
  log: Logger;
  /** Full relist even when the watch is fine (default 10 min). */
  resyncMs?: number;
  /** No event, not even a bookmark, for this long: the watch is presumed stuck and restarted (default 3 min). */
  stallMs?: number;
  /** Backoff between failed attempts: starts at min, doubles to max, with jitter (default 500 ms .. 30 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(JSON.stringify(err)));

const key = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * A list-then-watch cache of one kind of object that does not give up.
 * client-node's informer stops on any error other than 410; this one
 * restarts on every error with jittered exponential backoff, re-watches
 * from the last resourceVersion when the server merely ends a watch,
 * relists on 410 Gone, periodically, and when the watch goes silent for
 * longer than the bookmark interval allows. It is ready after the first
 * full list.
 */
export class Reflector<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #opts: Required<ReflectorOptions<T>>;
  readonly #watch: Watch;
  readonly #listeners = new Set<() => void>();
  #ready = false;
  #stopped = false;
  #resourceVersion = '';
  #abort: AbortController | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #backoffMs: number;
  #wake: (() => void) | undefined;
  #firstList: Promise<void>;
  #resolveFirstList!: () => void;
  /** Watch restarts and relists, for tests and metrics. */
  restarts = 0;

  constructor(opts: ReflectorOptions<T>) {
    this.#opts = {
      resyncMs: 600_000,
      stallMs: 180_000,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      selectors: {},
      transform: (item) => item,
      ...opts,
    };
    this.#watch = new Watch(opts.kubeConfig);
    this.#backoffMs = this.#opts.backoffMinMs;
    this.#firstList = new Promise((resolve) => (this.#resolveFirstList = resolve));
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Resolves after the first full list. */
  synced(): Promise<void> {
    return this.#firstList;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#items.get(`${namespace}/${name}`);
  }

  values(): T[] {
    return [...this.#items.values()];
  }

  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  start(): void {
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
    clearTimeout(this.#stallTimer);
    clearTimeout(this.#resyncTimer);
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    let needList = true;
    while (!this.#stopped) {
      try {
        if (needList) await this.#relist();
        const outcome = await this.#watchOnce();
        needList = outcome === 'relist';
        this.#backoffMs = this.#opts.backoffMinMs;
      } catch (err) {
        if (this.#stopped) return;
        this.restarts++;
        const delay = this.#backoffMs * (0.5 + Math.random());
        this.#backoffMs = Math.min(this.#backoffMs * 2, this.#opts.backoffMaxMs);
        this.#opts.log.warn(
          { kind: this.#opts.kind, err: (err as Error).message, retryInMs: Math.round(delay) },
          'watch failed; relisting after backoff',
        );
        await this.#sleep(delay);
        needList = true;
      }
    }
  }

  async #relist(): Promise<void> {
    const { items, resourceVersion } = await this.#opts.list(this.#opts.selectors);
    this.#items.clear();
    for (const item of items) this.#items.set(key(item), this.#opts.transform(item));
    this.#resourceVersion = resourceVersion;
    if (!this.#ready) {
      this.#ready = true;
      this.#resolveFirstList();
    }
    this.#emit();
  }

  /** One watch from the last resourceVersion; resolves with what to do next. */
  #watchOnce(): Promise<'rewatch' | 'relist'> {
    return new Promise<'rewatch' | 'relist'>((resolve, reject) => {
      let settled = false;
      const finish = (result: 'rewatch' | 'relist' | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(this.#stallTimer);
        clearTimeout(this.#resyncTimer);
        this.#abort?.abort();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const armStall = () => {
        clearTimeout(this.#stallTimer);
        this.#stallTimer = setTimeout(() => {
          this.#opts.log.warn({ kind: this.#opts.kind }, 'watch silent for too long; restarting it');
          this.restarts++;
          finish('relist');
        }, this.#opts.stallMs);
      };
      this.#resyncTimer = setTimeout(() => finish('relist'), this.#opts.resyncMs);
      armStall();
      this.#watch
        .watch(
          this.#opts.watchPath,
          {
            ...this.#opts.selectors,
            resourceVersion: this.#resourceVersion,
            allowWatchBookmarks: true,
            // The server ends each watch after this; a fresh one starts from the last resourceVersion.
            timeoutSeconds: Math.round(240 + Math.random() * 120),
          },
          (type: string, obj: T & { code?: number; metadata?: { resourceVersion?: string } }) => {
            armStall();
            if (type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old to resume from.
              finish(obj.code === 410 ? 'relist' : new Error(`watch error event: ${JSON.stringify(obj).slice(0, 200)}`));
              return;
            }
            const rv = obj.metadata?.resourceVersion;
            if (rv) this.#resourceVersion = rv;
            if (type === 'BOOKMARK') return;
            if (type === 'DELETED') this.#items.delete(key(obj));
            else this.#items.set(key(obj), this.#opts.transform(obj));
            this.#emit();
          },
          (err: unknown) => finish(err ? asError(err) : 'rewatch'),
        )
        .then(
          (abort) => {
            if (settled) abort.abort();
            else this.#abort = abort;
          },
          (err: unknown) => finish(asError(err)),
        );
    });
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
