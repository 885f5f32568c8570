import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, Reflector, VERSION, type LLMRouteObject } from '@switchboard/controller';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/harness.js';
import { installCrd, startApiServer, type ApiServer } from '../helpers/kube.js';

const route = (name: string) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
    - { name: a, provider: openai-compatible, endpoint: "http://vllm:8000/v1", model: m }
`;

describe('Reflector against a real API server', () => {
  let api: ApiServer;
  let kc: KubeConfig;
  const reflectors: Reflector<LLMRouteObject>[] = [];
  const make = (opts: { stallMs?: number; resyncMs?: number }, onList: () => void = () => undefined) => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const r = new Reflector<LLMRouteObject>({
      kind: 'llmroutes',
      kubeConfig: kc,
      log: pino({ level: 'silent' }),
      watchPath: `/apis/${GROUP}/${VERSION}/${PLURAL}`,
      backoffMinMs: 100,
      backoffMaxMs: 1000,
      ...opts,
      list: async () => {
        onList();
        const res = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as {
          items: LLMRouteObject[];
          metadata: { resourceVersion: string };
        };
        return { items: res.items, resourceVersion: res.metadata.resourceVersion };
      },
    });
    reflectors.push(r);
    r.start();
    return r;
  };

  beforeAll(async () => {
    api = await startApiServer();
    await installCrd(api);
    kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfig);
  }, 120_000);
  afterAll(async () => {
    for (const r of reflectors) r.stop();
    api?.resume();
    await api?.stop();
  });

  it('is ready only after the first full list, then follows changes', async () => {
    await api.kubectl(['apply', '-f', '-'], route('before'));
    const r = make({});
    expect(r.ready).toBe(false);
    await r.synced();
    expect(r.values().map((o) => o.metadata.name)).toContain('before');
    await api.kubectl(['apply', '-f', '-'], route('after'));
    await eventually(() => r.get('default', 'after') !== undefined, 15_000);
    await api.kubectl(['delete', 'llmroute', 'after']);
    await eventually(() => r.get('default', 'after') === undefined, 15_000);
  });

  it('notices a silent (stalled) watch, restarts it, and catches up', async () => {
    const r = make({ stallMs: 1000 });
    await r.synced();
    api.pause();
    await new Promise((res) => setTimeout(res, 2500));
    api.resume();
    await eventually(() => r.restarts >= 1, 15_000);
    await api.kubectl(['apply', '-f', '-'], route('after-stall'));
    await eventually(() => r.get('default', 'after-stall') !== undefined, 15_000);
  });

  it('relists periodically even when the watch is healthy', async () => {
    let lists = 0;
    const r = make({ resyncMs: 500 }, () => lists++);
    await r.synced();
    await eventually(() => lists >= 4, 10_000);
  });
});
