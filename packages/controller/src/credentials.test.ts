import type { V1Secret } from '@kubernetes/client-node';
import type { LLMRoute } from '@switchboard/api';
import type { RouteSource } from '@switchboard/gateway';
import { describe, expect, it } from 'vitest';
import { authBlocks, readCredentials, referencedSecrets, secretKey, type CredentialSources } from './credentials.js';
import { podCredentialResolver } from './pod-credentials.js';
import type { SecretName } from './secret-existence.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, resourceVersion = '1'): V1Secret => ({
  metadata: { resourceVersion },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

function sources(secrets: Record<string, V1Secret>, unlabelled: SecretName[] = []): CredentialSources {
  return {
    secret: (ns, name) => secrets[`${ns}/${name}`],
    unlabelled: new Set(unlabelled),
    pod: (auth) => (auth.env === 'ALLOWED' ? { key: 'from-pod' } : { error: 'refused', reason: 'CredentialSourceNotAllowed' }),
  };
}

const route = (namespace: string, spec: LLMRoute['spec']): RouteSource => ({
  route: { apiVersion: 'switchboard.dev/v1alpha1', kind: 'LLMRoute', metadata: { name: 'r', namespace }, spec },
});
const backend = (name: string, auth?: NonNullable<LLMRoute['spec']['backends'][number]['auth']>) => ({
  name,
  provider: 'openai-compatible' as const,
  endpoint: 'http://b/v1',
  model: 'm',
  ...(auth ? { auth } : {}),
});
const keyed = route('team-a', {
  backends: [backend('a', { secretRef: { name: 'openai', key: 'token' } }), backend('b', { env: 'ALLOWED' }), backend('c')],
  routing: {
    strategy: 'semantic',
    semantic: { encoder: 'remote', routes: [{ name: 'x', backend: 'a', utterances: ['u'] }] },
    embeddings: { endpoint: 'http://e/v1', model: 'e', auth: { secretRef: { name: 'embedder', key: 'k' } } },
  },
});

describe('authBlocks and referencedSecrets', () => {
  it("finds every auth block, the embeddings server's included, and names each Secret once in the route's namespace", () => {
    expect(authBlocks(keyed.route.spec)).toEqual([
      { secretRef: { name: 'openai', key: 'token' } },
      { env: 'ALLOWED' },
      { secretRef: { name: 'embedder', key: 'k' } },
    ]);
    expect(
      referencedSecrets([
        keyed,
        keyed,
        route('team-b', { backends: [backend('a', { secretRef: { name: 'openai', key: 't' } })] }),
      ]),
    ).toEqual(['team-a/openai', 'team-a/embedder', 'team-b/openai']);
  });
});

describe('secretKey', () => {
  const ref = { name: 'openai', key: 'token' };
  it.each<[string, CredentialSources, object]>([
    ['a labelled Secret with the key: the key, trimmed', sources({ 'ns/openai': secret({ token: ' sk-1\n' }) }), { key: 'sk-1' }],
    [
      'no such Secret: SecretNotFound, naming the label',
      sources({}),
      {
        reason: 'SecretNotFound',
        error: 'Secret ns/openai not found (the gateway reads only Secrets labelled switchboard.dev/credential=true)',
      },
    ],
    [
      'a Secret without the label: SecretNotLabelled, saying how to add it',
      sources({}, ['ns/openai']),
      {
        reason: 'SecretNotLabelled',
        error: expect.stringContaining('kubectl label secret -n ns openai switchboard.dev/credential=true') as unknown,
      },
    ],
    [
      'no such key: SecretKeyMissing',
      sources({ 'ns/openai': secret({ other: 'x' }) }),
      { reason: 'SecretKeyMissing', error: 'Secret ns/openai has no key "token"' },
    ],
    ['an empty key: SecretKeyMissing', sources({ 'ns/openai': secret({ token: ' \n' }) }), { reason: 'SecretKeyMissing' }],
  ])('%s', (_, from, expected) => {
    expect(secretKey(ref, 'ns', from)).toMatchObject(expected);
  });

  it('never puts the key in a message', () => {
    expect(
      JSON.stringify(secretKey({ name: 'openai', key: 'nope' }, 'ns', sources({ 'ns/openai': secret({ token: 'sk-secret' }) }))),
    ).not.toContain('sk-secret');
  });
});

describe('readCredentials', () => {
  const labelled = { 'team-a/openai': secret({ token: 'sk-1' }), 'team-a/embedder': secret({ k: 'e-1' }) };
  const origin = { namespace: 'team-a' };

  it('resolves Secrets from the cache and env/file through the pod allow-list', () => {
    const { resolver } = readCredentials([keyed], sources(labelled));
    expect(resolver({ secretRef: { name: 'openai', key: 'token' } }, origin)).toEqual({ key: 'sk-1' });
    expect(resolver({ env: 'ALLOWED' }, origin)).toEqual({ key: 'from-pod' });
    expect(resolver({ env: 'KUBECONFIG' }, origin)).toMatchObject({ reason: 'CredentialSourceNotAllowed' });
  });

  it('has the same digest for the same keys, whatever else the cache holds', () => {
    const a = readCredentials([keyed], sources(labelled)).digest;
    const b = readCredentials([keyed], sources({ ...labelled, 'team-a/unrelated': secret({ x: 'y' }, '9') })).digest;
    expect(b).toBe(a);
  });

  it('changes the digest when a referenced key rotates, goes missing or loses its label', () => {
    const base = readCredentials([keyed], sources(labelled)).digest;
    const rotated = readCredentials([keyed], sources({ ...labelled, 'team-a/openai': secret({ token: 'sk-2' }, '2') })).digest;
    const gone = readCredentials([keyed], sources({ 'team-a/embedder': labelled['team-a/embedder'] })).digest;
    const unlabelled = readCredentials(
      [keyed],
      sources({ 'team-a/embedder': labelled['team-a/embedder'] }, ['team-a/openai']),
    ).digest;
    expect(new Set([base, rotated, gone, unlabelled]).size).toBe(4);
  });
});

describe('the sampling Redis password in Kubernetes mode', () => {
  const sampled = (auth: NonNullable<NonNullable<NonNullable<LLMRoute['spec']['sampling']>['redis']>['auth']>) =>
    route('team-a', {
      backends: [backend('a')],
      sampling: { rate: 1, redis: { url: 'redis://r:6379', stream: 's', auth } },
    });

  it('comes from a Secret in the route namespace, like a backend key', () => {
    const r = sampled({ secretRef: { name: 'redis', key: 'password' } });
    expect(referencedSecrets([r])).toEqual(['team-a/redis']);
    const { resolver } = readCredentials([r], {
      ...sources({ 'team-a/redis': secret({ password: 'pw' }) }),
      pod: podCredentialResolver(),
    });
    expect(resolver({ secretRef: { name: 'redis', key: 'password' } }, { namespace: 'team-a' })).toEqual({ key: 'pw' });
  });

  it.each([[{ env: 'REDIS_PASSWORD' }], [{ file: '/var/run/secrets/redis' }]])(
    'is refused from the pod (%o) unless the operator allow-listed it',
    (auth) => {
      const r = sampled(auth);
      const { resolver } = readCredentials([r], { ...sources({}), pod: podCredentialResolver() });
      expect(resolver(auth, { namespace: 'team-a' })).toMatchObject({ reason: 'CredentialSourceNotAllowed' });
    },
  );
});
