import type { BackendAuth, LLMRoute } from '@switchboard/api';
import type { RouteOrigin } from './types.js';

/** A key, or why it cannot be had (`reason` feeds the route's status condition). */
export type SecretResult = { key: string } | { error: string; reason?: string };

/**
 * Reads a backend's `auth` from wherever the deployment keeps keys (the
 * environment and files in standalone mode, Secrets in Kubernetes). May do
 * I/O; it runs before compile, never inside it.
 */
export type SecretResolver = (auth: BackendAuth, origin: RouteOrigin) => SecretResult;

/** The keys of a set of routes, already read: what compile() looks them up in (pure). */
export type ResolvedSecrets = (auth: BackendAuth, origin: RouteOrigin) => SecretResult;

export interface RouteSource {
  route: LLMRoute;
  /** File the route came from (standalone mode), for messages and relative paths. */
  file?: string;
  /** Kubernetes mode: the folders the route's files must be in (RouteOrigin.confineTo). */
  confineTo?: readonly string[];
}

export const originOf = (s: RouteSource): RouteOrigin => ({
  file: s.file,
  namespace: s.route.metadata.namespace ?? 'default',
  ...(s.confineTo ? { confineTo: [...s.confineTo] } : {}),
});

/** Every `auth` a route refers to: its backends', its embeddings server's and its sampling Redis's. */
function authRefs(route: LLMRoute): BackendAuth[] {
  const refs = route.spec.backends.flatMap((b) => (b.auth ? [b.auth] : []));
  const embeddings = route.spec.routing?.embeddings?.auth;
  const sampling = route.spec.sampling?.redis?.auth;
  return [...refs, ...(embeddings ? [embeddings] : []), ...(sampling ? [sampling] : [])];
}

const refKey = (auth: BackendAuth, origin: RouteOrigin) =>
  JSON.stringify([origin.file ?? '', origin.namespace, auth.env ?? null, auth.file ?? null, auth.secretRef ?? null]);

/**
 * Reads every key the routes refer to, once, with `resolve`, and returns the
 * lookup compile() uses. Keys never appear in messages.
 */
export function resolveSecrets(sources: readonly RouteSource[], resolve: SecretResolver): ResolvedSecrets {
  const values = new Map<string, SecretResult>();
  for (const source of sources) {
    const origin = originOf(source);
    for (const auth of authRefs(source.route)) {
      const key = refKey(auth, origin);
      if (!values.has(key)) values.set(key, resolve(auth, origin));
    }
  }
  return (auth, origin) => values.get(refKey(auth, origin)) ?? { error: 'credential not resolved before compile' };
}
