import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { failFastRedis, redisReady } from '../../redis-client.js';

/** One stored answer of the Responses API: what GET returns and what `previous_response_id` continues. */
export interface StoredResponse {
  /** The Response object as the client got it. */
  response: Record<string, unknown>;
  /** Every input item the answer was made from (earlier turns included), each with an id. */
  input: Record<string, unknown>[];
}

/**
 * Where stored responses live, for `ttlMs` after they are written, each
 * under its owner (`tenant/key`, '' without auth): a read or delete names
 * the owner, so one tenant's id finds nothing for another — the same
 * answer as for an id that never existed. Memory is one process;
 * Redis is shared by every replica.
 */
export interface ResponseStore {
  readonly kind: 'memory' | 'redis';
  put(owner: string, id: string, record: StoredResponse): Promise<void>;
  get(owner: string, id: string): Promise<StoredResponse | undefined>;
  /** True when something was deleted. */
  delete(owner: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_RESPONSE_TTL_MS = 24 * 3600 * 1000;

/** The owner as a fixed-length key part: tenant and key names may hold any character. */
const ownerKey = (owner: string) => createHash('sha256').update(owner).digest('base64url').slice(0, 22);

export interface MemoryResponseStoreOptions {
  ttlMs?: number;
  /** Most responses kept; past it, the oldest of the owner holding the most go first. Default 10,000. */
  maxEntries?: number;
  /** Most bytes kept (serialised); past it, the oldest of the owner holding the most bytes go first. Default 256 MiB. */
  maxBytes?: number;
  now?: () => number;
}

interface Entry {
  json: string;
  expiresAt: number;
}

/** One owner's stored responses, oldest first (insertion order is age order). */
interface Holding {
  entries: Map<string, Entry>;
  bytes: number;
}

/**
 * This process's stored responses, kept serialised (a caller cannot change
 * what is stored through an object it holds) and bounded by count and
 * bytes. When full, the owner holding the most gives up its oldest: one
 * tenant storing a flood of answers evicts its own, not another's.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory' as const;
  readonly #owners = new Map<string, Holding>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;
  #count = 0;

  constructor(opts: MemoryResponseStoreOptions = {}) {
    this.#ttlMs = opts.ttlMs ?? DEFAULT_RESPONSE_TTL_MS;
    this.#maxEntries = opts.maxEntries ?? 10_000;
    this.#maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.#now = opts.now ?? Date.now;
  }

  put(owner: string, id: string, record: StoredResponse): Promise<void> {
    const key = ownerKey(owner);
    this.#remove(key, id);
    const json = JSON.stringify(record);
    if (json.length > this.#maxBytes) return Promise.resolve();
    let holding = this.#owners.get(key);
    if (!holding) this.#owners.set(key, (holding = { entries: new Map(), bytes: 0 }));
    holding.entries.set(id, { json, expiresAt: this.#now() + this.#ttlMs });
    holding.bytes += json.length;
    this.#bytes += json.length;
    this.#count++;
    while (this.#count > this.#maxEntries || this.#bytes > this.#maxBytes) this.#evict(this.#count > this.#maxEntries);
    return Promise.resolve();
  }

  get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const key = ownerKey(owner);
    const entry = this.#owners.get(key)?.entries.get(id);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.#now()) {
      this.#remove(key, id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.json) as StoredResponse);
  }

  delete(owner: string, id: string): Promise<boolean> {
    return Promise.resolve(this.#remove(ownerKey(owner), id));
  }

  /** Entries held (expired ones included until they are read or evicted). */
  get size(): number {
    return this.#count;
  }

  close(): Promise<void> {
    this.#owners.clear();
    this.#bytes = 0;
    this.#count = 0;
    return Promise.resolve();
  }

  /** The oldest entry of the owner holding the most entries (over the count) or bytes (over the size). */
  #evict(byCount: boolean): void {
    const held = (h: Holding) => (byCount ? h.entries.size : h.bytes);
    let largest: [string, Holding] | undefined;
    for (const pair of this.#owners) if (!largest || held(pair[1]) > held(largest[1])) largest = pair;
    if (!largest) return;
    const [key, holding] = largest;
    this.#remove(key, holding.entries.keys().next().value as string);
  }

  #remove(key: string, id: string): boolean {
    const holding = this.#owners.get(key);
    const entry = holding?.entries.get(id);
    if (!holding || !entry) return false;
    holding.entries.delete(id);
    holding.bytes -= entry.json.length;
    this.#bytes -= entry.json.length;
    this.#count--;
    if (holding.entries.size === 0) this.#owners.delete(key);
    return true;
  }
}

/** Stored responses in Redis, shared by every replica; Redis expires them. */
export class RedisResponseStore implements ResponseStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #ttlMs: number;

  constructor(url: string, opts: { ttlMs?: number; prefix?: string } = {}) {
    this.#redis = failFastRedis(url, { prefix: opts.prefix ?? 'switchboard:responses:' });
    this.#ttlMs = opts.ttlMs ?? DEFAULT_RESPONSE_TTL_MS;
  }

  ready(timeoutMs = 5000): Promise<void> {
    return redisReady(this.#redis, timeoutMs);
  }

  async put(owner: string, id: string, record: StoredResponse): Promise<void> {
    await this.#redis.set(`${ownerKey(owner)}:${id}`, JSON.stringify(record), 'PX', this.#ttlMs);
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const json = await this.#redis.get(`${ownerKey(owner)}:${id}`);
    return json === null ? undefined : (JSON.parse(json) as StoredResponse);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return (await this.#redis.del(`${ownerKey(owner)}:${id}`)) > 0;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => undefined);
  }
}
