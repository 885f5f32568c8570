import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, ApiKeys, Budget, RateLimits } from '@switchboard/api';
import type { CompiledRoute } from '../table/route.js';

/** Who is calling, once the key is recognised. Holds no key material. */
export interface Caller {
  keyName: string;
  tenant: string;
  routes: readonly string[];
  keyLimits: RateLimits | undefined;
  tenantLimits: RateLimits | undefined;
  budget: Budget | undefined;
}

interface Entry {
  digest: Buffer;
  caller: Caller;
}

/** Hex SHA-256 of a key, as the keys file stores it. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * The configured API keys, held only as SHA-256 digests. A presented key is
 * hashed, looked up by digest, and the digests compared in constant time.
 * Looking up by digest reveals nothing about the key: it is a one-way hash.
 */
export class ApiKeyRegistry {
  readonly #byDigest = new Map<string, Entry>();

  constructor(config: ApiKeys) {
    for (const k of config.keys)
      this.#byDigest.set(k.sha256, { digest: Buffer.from(k.sha256, 'hex'), caller: toCaller(k, config) });
  }

  get size(): number {
    return this.#byDigest.size;
  }

  authenticate(key: string): Caller | undefined {
    const hex = hashKey(key);
    const entry = this.#byDigest.get(hex);
    if (!entry) return undefined;
    return timingSafeEqual(entry.digest, Buffer.from(hex, 'hex')) ? entry.caller : undefined;
  }
}

function toCaller(k: ApiKey, config: ApiKeys): Caller {
  const tenant = config.tenants?.[k.tenant];
  return {
    keyName: k.name,
    tenant: k.tenant,
    routes: k.routes ?? ['*'],
    keyLimits: k.limits,
    tenantLimits: tenant?.limits,
    budget: tenant?.budget,
  };
}

/**
 * True when `caller` may use `route` (asked for as `model`). An allow-list
 * entry is `*`, a route id (`namespace/name`), a model name, or a bare route
 * name — which means that name in the `default` namespace only (standalone
 * routes live there), never the same name in every namespace.
 */
export function mayUse(caller: Caller | undefined, route: CompiledRoute, model: string): boolean {
  if (!caller) return true;
  const bare = route.id.startsWith('default/') ? route.id.slice('default/'.length) : undefined;
  return caller.routes.some((r) => r === '*' || r === route.id || r === model || r === bare);
}

/** Who a request belongs to, for per-caller state (the feedback ledger): `tenant/key`, or '' when auth is off. */
export const ownerOf = (caller: Caller | undefined): string => (caller ? `${caller.tenant}/${caller.keyName}` : '');
