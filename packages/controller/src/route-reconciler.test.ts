import type { V1Secret } from '@kubernetes/client-node';
import {
  Configurator,
  defaultFactories,
  GrpcTransport,
  HttpTransport,
  MemoryLearningStore,
  RouteTableStore,
  TableBuilder,
  Transports,
} from '@switchboard/gateway';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LLMRouteObject } from './llmroute-object.js';
import { podCredentialResolver } from './pod-credentials.js';
import { RouteReconciler } from './route-reconciler.js';
import type { SecretName } from './secret-existence.js';

const log = pino({ level: 'silent' });

const routeObject = (name: string, secretName?: string, generation = 1): LLMRouteObject => ({
  metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    backends: [
      {
        name: 'main',
        provider: 'openai-compatible',
        endpoint: 'http://backend.invalid/v1',
        model: 'm',
        ...(secretName ? { auth: { secretRef: { name: secretName, key: 'token' } } } : {}),
      },
    ],
  },
});
const secret = (token: string, resourceVersion: string): V1Secret => ({
  metadata: { resourceVersion },
  data: { token: Buffer.from(token).toString('base64') },
});

/** The real Configurator (plan, build, swap), with its applies counted; the caches are plain maps. */
function setup() {
  const routes = new Map<string, LLMRouteObject>();
  const secrets = new Map<string, V1Secret>();
  const unlabelled = new Set<SecretName>();
  const probed: SecretName[][] = [];
  const store = new RouteTableStore();
  const transports = new Transports({ http: new HttpTransport({ maxResponseBytes: 1 << 20 }), grpc: new GrpcTransport() });
  const real = new Configurator(
    store,
    new TableBuilder(defaultFactories({ learning: new MemoryLearningStore(), transports, log })),
  );
  const applied: number[] = [];
  const reconciler = new RouteReconciler({
    routes: { values: () => [...routes.values()] },
    secrets: { get: (ns, name) => secrets.get(`${ns}/${name}`) },
    existence: {
      existing: (names) => {
        probed.push([...names]);
        return Promise.resolve(new Set(names.filter((n) => unlabelled.has(n))));
      },
    },
    configurator: {
      apply: (...args) => {
        applied.push(applied.length + 1);
        return real.apply(...args);
      },
    },
    podCredentials: podCredentialResolver(),
    log,
  });
  const served = () => store.current().routes.map((r) => r.id);
  return { routes, secrets, unlabelled, probed, applied, reconciler, served, close: () => transports.close() };
}

describe('RouteReconciler', () => {
  it('applies routes and their Secrets, then skips the apply while nothing it reads has changed', async () => {
    const t = setup();
    t.routes.set('a', routeObject('a', 'key'));
    t.routes.set('b', routeObject('b'));
    t.secrets.set('team-a/key', secret('sk-1', '1'));
    expect(await t.reconciler.reconcile()).toBe(true);
    expect(t.served()).toEqual(['team-a/a', 'team-a/b']);
    expect(t.reconciler.outcomes().get('team-a/a')).toEqual({ generation: 1, problems: [], programmed: true });

    // A status write (new resourceVersion, same generation), a relist, an unrelated Secret: no apply.
    t.routes.set('a', { ...routeObject('a', 'key'), status: { observedGeneration: 1 } });
    t.secrets.set('team-a/unrelated', secret('x', '7'));
    expect(await t.reconciler.reconcile()).toBe(false);
    expect(t.applied).toHaveLength(1);
    await t.close();
  });

  it('applies again when a referenced Secret rotates, a spec changes, or a route is deleted', async () => {
    const t = setup();
    t.routes.set('a', routeObject('a', 'key'));
    t.routes.set('b', routeObject('b'));
    t.secrets.set('team-a/key', secret('sk-1', '1'));
    await t.reconciler.reconcile();
    t.secrets.set('team-a/key', secret('sk-2', '2'));
    expect(await t.reconciler.reconcile()).toBe(true);
    t.routes.set('b', { ...routeObject('b', undefined, 2), spec: { ...routeObject('b').spec, modelNames: ['bee'] } });
    expect(await t.reconciler.reconcile()).toBe(true);
    expect(t.reconciler.outcomes().get('team-a/b')?.generation).toBe(2);
    t.routes.delete('a');
    expect(await t.reconciler.reconcile()).toBe(true);
    expect(t.served()).toEqual(['team-a/b']);
    expect([...t.reconciler.outcomes().keys()]).toEqual(['team-a/b']);
    await t.close();
  });

  it('asks whether a Secret exists only when the cache lacks it, and tells an unlabelled one from a missing one', async () => {
    const t = setup();
    t.routes.set('labelled', routeObject('labelled', 'ok'));
    t.routes.set('unlabelled', routeObject('unlabelled', 'plain'));
    t.routes.set('missing', routeObject('missing', 'nothing'));
    t.secrets.set('team-a/ok', secret('sk-1', '1'));
    t.unlabelled.add('team-a/plain');
    await t.reconciler.reconcile();
    expect(t.probed).toEqual([['team-a/nothing', 'team-a/plain']]);
    const reasons = (id: string) =>
      t.reconciler
        .outcomes()
        .get(id)
        ?.problems.map((p) => p.reason);
    expect(reasons('team-a/unlabelled')).toEqual(['SecretNotLabelled']);
    expect(reasons('team-a/missing')).toEqual(['SecretNotFound']);
    expect(t.served()).toEqual(['team-a/labelled']);

    // Labelling it puts the Secret in the cache: the route is served.
    t.secrets.set('team-a/plain', secret('sk-plain', '3'));
    await t.reconciler.reconcile();
    expect(t.served()).toEqual(['team-a/labelled', 'team-a/unlabelled']);
    await t.close();
  });

  it('leaves an invalid route out alone, with its validation problems', async () => {
    const t = setup();
    t.routes.set('good', routeObject('good'));
    t.routes.set('bad', { ...routeObject('bad'), spec: { backends: [] } });
    await t.reconciler.reconcile();
    expect(t.served()).toEqual(['team-a/good']);
    const bad = t.reconciler.outcomes().get('team-a/bad');
    expect(bad?.programmed).toBe(false);
    expect(bad?.problems.length).toBeGreaterThan(0);
    expect(bad?.problems.every((p) => p.reason === undefined)).toBe(true);
    await t.close();
  });
});
