import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { BackendAuth } from '@switchboard/api';
import type { RouteSource, SecretResolver } from '@switchboard/gateway';
import { CREDENTIAL_SELECTOR } from './credential-secrets.js';
import type { SecretName } from './secret-existence.js';

type SecretResult = ReturnType<SecretResolver>;
type Origin = Parameters<SecretResolver>[1];

/**
 * Every `auth` block of a route, wherever the schema puts one (backends,
 * the embeddings server, and any block added later): a route's credentials
 * are known without the controller listing the places they may sit.
 */
export function authBlocks(value: unknown, found: BackendAuth[] = []): BackendAuth[] {
  if (Array.isArray(value)) for (const v of value) authBlocks(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'auth' && v && typeof v === 'object') found.push(v as BackendAuth);
      else authBlocks(v, found);
    }
  }
  return found;
}

const namespaceOf = (s: RouteSource) => s.route.metadata.namespace ?? 'default';

/** `namespace/name` of every Secret the routes name in `auth.secretRef`. */
export function referencedSecrets(sources: readonly RouteSource[]): SecretName[] {
  const names = sources.flatMap((s) =>
    authBlocks(s.route.spec).flatMap((a): SecretName[] => (a.secretRef ? [`${namespaceOf(s)}/${a.secretRef.name}`] : [])),
  );
  return [...new Set(names)];
}

/** Where keys come from: the labelled Secrets' cache, what exists without the label, and the pod's allow-list. */
export interface CredentialSources {
  secret(namespace: string, name: string): V1Secret | undefined;
  /** Referenced Secrets that exist but lack the credential label (so are not cached). */
  unlabelled: ReadonlySet<SecretName>;
  pod: SecretResolver;
}

/** A key of a Secret, or why a route cannot have it. Keys never appear in messages. */
export function secretKey(ref: { name: string; key: string }, namespace: string, sources: CredentialSources): SecretResult {
  const where = `Secret ${namespace}/${ref.name}`;
  const secret = sources.secret(namespace, ref.name);
  if (!secret) {
    return sources.unlabelled.has(`${namespace}/${ref.name}`)
      ? {
          error: `${where} exists but is not labelled ${CREDENTIAL_SELECTOR}, and the gateway reads only Secrets with that label: add it (kubectl label secret -n ${namespace} ${ref.name} ${CREDENTIAL_SELECTOR})`,
          reason: 'SecretNotLabelled',
        }
      : {
          error: `${where} not found (the gateway reads only Secrets labelled ${CREDENTIAL_SELECTOR})`,
          reason: 'SecretNotFound',
        };
  }
  const value = secret.data?.[ref.key];
  if (value === undefined) return { error: `${where} has no key "${ref.key}"`, reason: 'SecretKeyMissing' };
  const decoded = Buffer.from(value, 'base64').toString('utf8').trim();
  return decoded ? { key: decoded } : { error: `${where} key "${ref.key}" is empty`, reason: 'SecretKeyMissing' };
}

const refKey = (auth: BackendAuth, origin: Origin) =>
  JSON.stringify([origin.namespace, auth.env ?? null, auth.file ?? null, auth.secretRef ?? null]);

/**
 * Reads every credential the routes name, once, into a fixed resolver for
 * `Configurator.apply`, with a digest of what was read (sha256 over the
 * results, so equal digests mean the same keys and the same problems): the
 * reconciler skips the apply when routes and digest are unchanged.
 */
export function readCredentials(
  routes: readonly RouteSource[],
  sources: CredentialSources,
): { resolver: SecretResolver; digest: string } {
  const read = (auth: BackendAuth, origin: Origin): SecretResult =>
    auth.secretRef ? secretKey(auth.secretRef, origin.namespace, sources) : sources.pod(auth, origin);
  const results = new Map<string, SecretResult>();
  for (const source of routes) {
    const origin: Origin = { file: source.file, namespace: namespaceOf(source) };
    for (const auth of authBlocks(source.route.spec)) {
      const key = refKey(auth, origin);
      if (!results.has(key)) results.set(key, read(auth, origin));
    }
  }
  const hash = createHash('sha256');
  for (const [key, result] of [...results].sort(([a], [b]) => a.localeCompare(b))) hash.update(JSON.stringify([key, result]));
  return {
    // A block the walk missed is read live: correct, only never part of the digest.
    resolver: (auth, origin) => results.get(refKey(auth, origin)) ?? read(auth, origin),
    digest: hash.digest('hex'),
  };
}
