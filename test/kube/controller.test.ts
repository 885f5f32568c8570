import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashKey } from '@switchboard/gateway';
import { startMockBackend, type MockBackend } from '@switchboard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess } from '../helpers/cli-process.js';
import { credentialSecret, installCrd, startApiServer, until, type ApiServer } from '../helpers/kube.js';

interface Status {
  observedGeneration?: number;
  conditions?: {
    type: string;
    status: string;
    reason: string;
    message: string;
    lastTransitionTime: string;
    observedGeneration?: number;
  }[];
  backends?: { name: string; health: string }[];
}

const route = (name: string, endpoint: string, extra = '') => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
    - { name: main, provider: openai-compatible, endpoint: "${endpoint}", model: m${extra} }
`;

const chat = (url: string, model: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('serve --kubernetes against a real API server', () => {
  let api: ApiServer;
  let one: MockBackend;
  let two: MockBackend;
  let gateways: Awaited<ReturnType<typeof serveProcess>>[] = [];
  const status = async (name: string) =>
    (JSON.parse(await api.kubectl(['get', 'llmroute', name, '-o', 'json'])) as { status?: Status }).status;
  const condition = async (name: string, type: string) => (await status(name))?.conditions?.find((c) => c.type === type);
  const start = (args: string[] = []) =>
    serveProcess(['--kubernetes', '--no-auth', '--lease-duration', '3s', ...args], {
      KUBECONFIG: api.kubeconfig,
      POD_NAMESPACE: 'default',
    });

  beforeAll(async () => {
    api = await startApiServer();
    await installCrd(api);
    one = await startMockBackend({ model: 'one' });
    two = await startMockBackend({ model: 'two' });
    gateways = [await start()];
  }, 120_000);
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await one?.close();
    await two?.close();
    await api?.stop();
  });

  it('serves an applied route, switches on update without failing requests in flight, and 404s once it is deleted', async () => {
    const gw = gateways[0]!;
    await api.kubectl(['apply', '-f', '-'], route('swap', one.url));
    const first = await until(
      'route served',
      () => chat(gw.url, 'swap').then((r) => r.json() as Promise<{ model: string }>),
      (b) => b.model === 'one',
    );
    expect(first.model).toBe('one');

    // keep requests flowing while the route is updated
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) statuses.push(await chat(gw.url, 'swap').then(async (r) => (await r.arrayBuffer(), r.status)));
    })();
    await api.kubectl(['apply', '-f', '-'], route('swap', two.url));
    await until(
      'update served',
      () => chat(gw.url, 'swap').then((r) => r.json() as Promise<{ model: string }>),
      (b) => b.model === 'two',
    );
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 200)).toBe(true);

    await api.kubectl(['delete', 'llmroute', 'swap']);
    await until(
      'deleted route gone',
      () => chat(gw.url, 'swap').then((r) => r.status),
      (s) => s === 404,
    );
  });

  it('writes Accepted/ResolvedRefs/Programmed with observedGeneration, and keeps lastTransitionTime while nothing flips', async () => {
    await api.kubectl(['apply', '-f', '-'], route('conds', one.url));
    const s1 = await until(
      'status written',
      () => status('conds'),
      (s) => s?.observedGeneration === 1 && s.conditions?.length === 3,
    );
    expect(s1?.conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Accepted', 'True', 'Accepted', 1],
      ['ResolvedRefs', 'True', 'ResolvedRefs', 1],
      ['Programmed', 'True', 'Programmed', 1],
    ]);
    expect(s1?.backends).toEqual([{ name: 'main', health: 'healthy' }]);
    await new Promise((r) => setTimeout(r, 1100)); // a later transition would carry a later second
    await api.kubectl(['apply', '-f', '-'], route('conds', one.url, ', priority: 1'));
    const s2 = await until(
      'generation 2 observed',
      () => status('conds'),
      (s) => s?.observedGeneration === 2,
    );
    expect(s2?.conditions?.map((c) => c.lastTransitionTime)).toEqual(s1?.conditions?.map((c) => c.lastTransitionTime));
    // no hot loop: with nothing changing, the object stays at the same resourceVersion
    const rv = async () =>
      (JSON.parse(await api.kubectl(['get', 'llmroute', 'conds', '-o', 'json'])) as { metadata: { resourceVersion: string } })
        .metadata.resourceVersion;
    const before = await rv();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rv()).toBe(before);
  });

  it('reports a missing Secret as ResolvedRefs=False, then uses the key once the Secret exists, and follows its rotation', async () => {
    const gw = gateways[0]!;
    await api.kubectl(['apply', '-f', '-'], route('keyed', one.url, ', auth: { secretRef: { name: backend-key, key: token } }'));
    const missing = await until(
      'SecretNotFound',
      () => condition('keyed', 'ResolvedRefs'),
      (c) => c?.reason === 'SecretNotFound',
    );
    expect(missing).toMatchObject({
      status: 'False',
      message: expect.stringContaining('Secret default/backend-key not found') as unknown,
    });
    expect(await condition('keyed', 'Programmed')).toMatchObject({ status: 'False' });
    expect((await chat(gw.url, 'keyed')).status).toBe(404);

    await api.kubectl(['apply', '-f', '-'], credentialSecret('backend-key', { other: 'x' }));
    await until(
      'SecretKeyMissing',
      () => condition('keyed', 'ResolvedRefs'),
      (c) => c?.reason === 'SecretKeyMissing',
    );

    await api.kubectl(['apply', '-f', '-'], credentialSecret('backend-key', { token: 'sk-first' }));
    await until(
      'ResolvedRefs=True',
      () => condition('keyed', 'ResolvedRefs'),
      (c) => c?.status === 'True',
    );
    await until(
      'served with the key',
      () => chat(gw.url, 'keyed').then((r) => r.status),
      (s) => s === 200,
    );
    expect(one.lastHeaders?.authorization).toBe('Bearer sk-first');

    await api.kubectl(['apply', '-f', '-'], credentialSecret('backend-key', { token: 'sk-second' }));
    await until(
      'rotated key used',
      async () => (await chat(gw.url, 'keyed'), one.lastHeaders?.authorization),
      (a) => a === 'Bearer sk-second',
    );
  });

  it("refuses auth.env and auth.file (the pod's own environment and files) unless the operator allow-lists them", async () => {
    const gw = gateways[0]!;
    // A route author asking for the gateway's kubeconfig / ServiceAccount token, or one of its variables.
    await api.kubectl(['apply', '-f', '-'], route('steal-file', one.url, `, auth: { file: "${api.kubeconfig}" }`));
    await api.kubectl(['apply', '-f', '-'], route('steal-env', one.url, ', auth: { env: KUBECONFIG }'));
    for (const name of ['steal-file', 'steal-env']) {
      const accepted = await until(
        `${name} refused`,
        () => condition(name, 'Accepted'),
        (c) => c?.reason === 'CredentialSourceNotAllowed',
      );
      expect(accepted).toMatchObject({
        status: 'False',
        message: expect.stringContaining('not allowed in Kubernetes mode') as unknown,
      });
      expect(await condition(name, 'Programmed')).toMatchObject({ status: 'False' });
      expect((await chat(gw.url, name)).status).toBe(404);
    }
    expect(JSON.stringify(one.lastHeaders ?? {})).not.toContain(api.kubeconfig);

    // What the operator allow-lists works.
    const allowed = await serveProcess(
      ['--kubernetes', '--no-auth', '--lease-duration', '3s', '--allow-env-credentials', 'OPERATOR_KEY'],
      { KUBECONFIG: api.kubeconfig, POD_NAMESPACE: 'default', OPERATOR_KEY: 'sk-operator' },
    );
    gateways.push(allowed);
    await api.kubectl(['apply', '-f', '-'], route('operator-env', one.url, ', auth: { env: OPERATOR_KEY }'));
    await until(
      'allow-listed variable served',
      () => chat(allowed.url, 'operator-env').then((r) => r.status),
      (st) => st === 200,
    );
    expect(one.lastHeaders?.authorization).toBe('Bearer sk-operator');
    expect((await chat(allowed.url, 'steal-env')).status).toBe(404);
  });

  it('refuses sampling.file without --sampling-dir and the sampling Redis password from the pod; with the directory, writes DIR/<namespace>/<name>', async () => {
    const gw = gateways[0]!;
    const sampled = (name: string, sampling: string) => `${route(name, one.url)}  sampling: ${sampling}\n`;
    await api.kubectl(
      ['apply', '-f', '-'],
      sampled('sample-anywhere', '{ rate: 1, file: { path: /etc/switchboard-samples.jsonl } }'),
    );
    await api.kubectl(
      ['apply', '-f', '-'],
      sampled('sample-pod-password', '{ rate: 1, redis: { url: "redis://r:6379", stream: s, auth: { env: KUBECONFIG } } }'),
    );
    for (const [name, reason] of [
      ['sample-anywhere', 'SamplingFileNotAllowed'],
      ['sample-pod-password', 'CredentialSourceNotAllowed'],
    ] as const) {
      const accepted = await until(
        `${name} refused`,
        () => condition(name, 'Accepted'),
        (c) => c?.reason === reason,
      );
      expect(accepted).toMatchObject({ status: 'False' });
      expect((await chat(gw.url, name)).status).toBe(404);
    }
    expect((await condition('sample-anywhere', 'Accepted'))?.message).toMatch(/--sampling-dir/);

    const dir = mkdtempSync(join(tmpdir(), 'switchboard-kube-samples-'));
    const withDir = await start(['--sampling-dir', dir]);
    gateways.push(withDir);
    try {
      await api.kubectl(['apply', '-f', '-'], sampled('sample-escape', '{ rate: 1, file: { path: ../../escape.jsonl } }'));
      await api.kubectl(['apply', '-f', '-'], sampled('sample-named', '{ rate: 1, file: { path: kube.jsonl } }'));
      await until(
        'sample-named served by the gateway with a sampling directory',
        () => chat(withDir.url, 'sample-named').then((r) => r.status),
        (st) => st === 200,
      );
      expect((await chat(withDir.url, 'sample-escape')).status).toBe(404);
      const file = join(dir, 'default', 'kube.jsonl');
      await until(
        'the sample written',
        () => Promise.resolve(existsSync(file) ? readFileSync(file, 'utf8') : ''),
        (t) => t.includes('"route":"default/sample-named"'),
      );
      expect(readdirSync(dir)).toEqual(['default']);
    } finally {
      await withDir.stop();
      gateways.splice(gateways.indexOf(withDir), 1);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a contested model name to the older route; the newer gets ModelNameConflict', async () => {
    const named = (name: string, endpoint: string) =>
      route(name, endpoint).replace('spec:\n', 'spec:\n  modelNames: [contested]\n');
    // Named so that name order alone would favour the newer one: age must decide.
    await api.kubectl(['apply', '-f', '-'], named('zz-older', one.url));
    await until(
      'older accepted',
      () => condition('zz-older', 'Accepted'),
      (c) => c?.status === 'True',
    );
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
    await api.kubectl(['apply', '-f', '-'], named('aa-newer', two.url));
    const c = await until(
      'conflict reported',
      () => condition('aa-newer', 'Accepted'),
      (x) => x?.reason === 'ModelNameConflict',
      10_000,
    );
    expect(c).toMatchObject({
      status: 'False',
      message: expect.stringContaining('already served by route default/zz-older') as unknown,
    });
    expect(await condition('zz-older', 'Accepted')).toMatchObject({ status: 'True' });
    const answer = (await (await chat(gateways[0]!.url, 'contested')).json()) as { model: string };
    expect(answer.model).toBe('one');
  });

  it('reads gateway API keys from a Secret', async () => {
    const gw = await serveProcess(['--kubernetes', '--api-keys-secret', 'gateway-keys', '--lease-duration', '3s'], {
      KUBECONFIG: api.kubeconfig,
      POD_NAMESPACE: 'default',
    });
    gateways.push(gw);
    await api.kubectl(['apply', '-f', '-'], route('authed', one.url));
    await until(
      'route served',
      () => chat(gw.url, 'authed').then((r) => r.status),
      (s) => s === 401,
    );
    const keys = `keys:\n  - { name: team-a, tenant: a, sha256: ${hashKey('sk-team-a')} }\n`;
    await api.kubectl(['create', 'secret', 'generic', 'gateway-keys', `--from-literal=keys.yaml=${keys}`]);
    await until(
      'key accepted',
      () => chat(gw.url, 'authed', { authorization: 'Bearer sk-team-a' }).then((r) => r.status),
      (s) => s === 200,
    );
    expect((await chat(gw.url, 'authed', { authorization: 'Bearer sk-wrong' })).status).toBe(401);
  });

  it('keeps watching across an API server restart', async () => {
    const gw = gateways[0]!;
    await api.restart();
    await api.kubectl(['apply', '-f', '-'], route('after-restart', two.url));
    const body = await until(
      'change after restart served',
      () => chat(gw.url, 'after-restart').then((r) => r.json() as Promise<{ model?: string }>),
      (b) => b.model === 'two',
      60_000,
    );
    expect(body.model).toBe('two');
  }, 90_000);

  it('lets only the leader write status, and hands over when the leader dies', async () => {
    const holder = async () =>
      (
        JSON.parse(await api.kubectl(['get', 'lease', 'switchboard-leader', '-o', 'json'])) as {
          spec: { holderIdentity?: string };
        }
      ).spec.holderIdentity ?? '';
    const leaderId = await until('a leader', holder, (h) => h !== '');
    const leader = gateways.find((g) => leaderId.endsWith(`-${g.child.pid}`));
    expect(leader).toBeDefined();
    const others = gateways.filter((g) => g !== leader);
    expect(others.length).toBeGreaterThan(0);

    leader!.child.kill('SIGKILL');
    await leader!.exit();
    gateways = others;
    const started = Date.now();
    const next = await until('another leader', holder, (h) => h !== leaderId && h !== '', 15_000);
    expect(others.some((g) => next.endsWith(`-${g.child.pid}`))).toBe(true);
    // 3 s lease: taken over once the old record has gone unrenewed for a lease duration
    expect(Date.now() - started).toBeLessThan(3000 * 3);
    await api.kubectl(['apply', '-f', '-'], route('after-handover', one.url));
    await until(
      'new leader writes status',
      () => condition('after-handover', 'Programmed'),
      (c) => c?.status === 'True',
    );
  }, 60_000);
});
