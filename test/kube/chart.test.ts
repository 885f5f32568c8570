import { join } from 'node:path';
import { startMockBackend, type MockBackend } from '@switchboard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess } from '../helpers/cli-process.js';
import { credentialSecret, installCrd, ROOT, serviceAccountKubeconfig, startApiServer, type ApiServer } from '../helpers/kube.js';

const CHART = join(ROOT, 'charts/switchboard');
const SAMPLE = join(CHART, 'ci/sample-values.yaml');
const SA = 'system:serviceaccount:switchboard:switchboard';

describe('Helm charts and manifests on a real API server', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer();
    await installCrd(api);
    await api.kubectl(['apply', '-f', join(ROOT, 'test/kube/fixtures/servicemonitor-crd.yaml')]);
    for (const ns of ['switchboard', 'team-a', 'team-b']) await api.kubectl(['create', 'namespace', ns]);
    await api.kubectl(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com']);
  }, 120_000);
  afterAll(() => api?.stop());

  it('passes helm lint --strict with default and sample values', async () => {
    await api.helm(['lint', '--strict', join(ROOT, 'charts/switchboard-crds')]);
    await api.helm(['lint', '--strict', CHART]);
    await api.helm(['lint', '--strict', CHART, '-f', SAMPLE]);
  });

  it('rejects values outside values.schema.json', async () => {
    await expect(api.helm(['template', 'switchboard', CHART, '--set', 'auth.mode=maybe'])).rejects.toThrow(/auth\.mode/);
  });

  for (const [label, extra] of [
    ['default values', []],
    ['sample values (PDB, HPA, ServiceMonitor, NetworkPolicy, namespaced RBAC)', ['-f', SAMPLE]],
  ] as const) {
    it(`renders with ${label} and the API server accepts everything (dry-run=server)`, async () => {
      const rendered = await api.helm(['template', 'switchboard', CHART, '--namespace', 'switchboard', ...extra]);
      const out = await api.kubectl(['apply', '--dry-run=server', '-f', '-'], rendered);
      expect(out).toMatch(/deployment.apps\/switchboard created \(server dry run\)/);
      if (extra.length) expect(out).toMatch(/servicemonitor.*created|poddisruptionbudget.*created/);
    });
  }

  it('sampling.volume: mounted writable and passed as --sampling-dir; without it, neither', async () => {
    const plain = await api.helm(['template', 'switchboard', CHART, '--namespace', 'switchboard']);
    expect(plain).not.toContain('--sampling-dir');
    const rendered = await api.helm([
      'template',
      'switchboard',
      CHART,
      '--namespace',
      'switchboard',
      '--set',
      'sampling.volume.persistentVolumeClaim.claimName=samples',
    ]);
    expect(rendered).toContain('- --sampling-dir=/var/lib/switchboard/samples');
    expect(rendered).toMatch(/- \{ name: samples, mountPath: "\/var\/lib\/switchboard\/samples" \}/);
    expect(rendered).toMatch(/- name: samples\n\s+persistentVolumeClaim:\n\s+claimName: samples/);
    const out = await api.kubectl(['apply', '--dry-run=server', '-f', '-'], rendered);
    expect(out).toMatch(/deployment.apps\/switchboard created \(server dry run\)/);
  });

  it('accepts manifests/ (crds, install, examples) with dry-run=server', async () => {
    for (const f of ['crds.yaml', 'install.yaml', 'examples']) {
      await api.kubectl(['apply', '--dry-run=server', '-f', join(ROOT, 'manifests', f)]);
    }
  });

  describe("the chart's ServiceAccount (RBAC)", () => {
    let mock: MockBackend;
    let gateway: Awaited<ReturnType<typeof serveProcess>> | undefined;
    beforeAll(async () => {
      await api.kubectl(['apply', '-f', '-'], await api.helm(['template', 'switchboard', CHART, '--namespace', 'switchboard']));
      mock = await startMockBackend({ model: 'via-sa' });
    });
    afterAll(async () => {
      await gateway?.stop();
      await mock?.close();
    });

    it('is enough to run the controller: serve routes, write status, hold the Lease', async () => {
      const kubeconfig = await serviceAccountKubeconfig(api, 'switchboard', 'switchboard');
      gateway = await serveProcess(['--kubernetes', '--no-auth', '--lease-duration', '3s'], {
        KUBECONFIG: kubeconfig,
        POD_NAMESPACE: 'switchboard',
      });
      await api.kubectl(
        ['apply', '-n', 'team-a', '-f', '-'],
        `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: rbac }
spec:
  backends:
    - { name: m, provider: openai-compatible, endpoint: "${mock.url}", model: m, auth: { secretRef: { name: key, key: token } } }
`,
      );
      await api.kubectl(['apply', '-f', '-'], credentialSecret('key', { token: 'sk-sa' }, 'team-a'));
      const deadline = Date.now() + 20_000;
      let programmed = '';
      while (Date.now() < deadline && programmed !== 'True') {
        programmed = await api.kubectl([
          'get',
          'llmroute',
          'rbac',
          '-n',
          'team-a',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
        ]);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(programmed).toBe('True');
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'rbac', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(mock.lastHeaders?.authorization).toBe('Bearer sk-sa');
      expect(
        await api.kubectl(['get', 'lease', 'switchboard-leader', '-n', 'switchboard', '-o', 'jsonpath={.spec.holderIdentity}']),
      ).not.toBe('');
    });

    const can = (verb: string, resource: string, ns = 'team-a', name?: string) => canI(api, SA, verb, resource, ns, name);

    it('may do what the controller needs', async () => {
      for (const [verb, resource, ns, name] of [
        ['list', 'llmroutes.switchboard.dev'],
        ['watch', 'llmroutes.switchboard.dev'],
        ['update', 'llmroutes.switchboard.dev/status'],
        ['list', 'secrets'],
        ['watch', 'secrets'],
        ['list', 'secrets', 'switchboard', 'switchboard-api-keys'],
        ['watch', 'secrets', 'switchboard', 'switchboard-api-keys'],
        ['update', 'leases.coordination.k8s.io', 'switchboard'],
        ['create', 'leases.coordination.k8s.io', 'switchboard'],
      ] as const) {
        expect(`${verb} ${resource}: ${await can(verb, resource, ns, name)}`).toBe(`${verb} ${resource}: yes`);
      }
    });

    it('may do nothing more', async () => {
      for (const [verb, resource, ns, name] of [
        ['create', 'llmroutes.switchboard.dev'],
        ['update', 'llmroutes.switchboard.dev'],
        ['delete', 'llmroutes.switchboard.dev'],
        ['patch', 'llmroutes.switchboard.dev/status'],
        // list/watch is all the gateway does with Secrets
        ['get', 'secrets'],
        ['get', 'secrets', 'switchboard', 'switchboard-api-keys'],
        ['create', 'secrets'],
        ['update', 'secrets'],
        ['delete', 'secrets'],
        ['list', 'pods'],
        ['list', 'configmaps'],
        ['update', 'leases.coordination.k8s.io', 'team-a'],
        ['delete', 'leases.coordination.k8s.io', 'switchboard'],
        ['list', 'services'],
      ] as const) {
        expect(`${verb} ${resource}: ${await can(verb, resource, ns, name)}`).toBe(`${verb} ${resource}: no`);
      }
    });
  });

  describe('with watchNamespaces: Roles in those namespaces, and the API keys Secret by name', () => {
    const NARROW = 'system:serviceaccount:switchboard:narrow-switchboard';
    beforeAll(async () => {
      const rendered = await api.helm([
        'template',
        'narrow',
        CHART,
        '--namespace',
        'switchboard',
        '--set',
        'watchNamespaces={team-a}',
      ]);
      await api.kubectl(['apply', '-f', '-'], rendered);
    });
    const expectAnswer = async (verb: string, resource: string, ns: string, name: string | undefined, answer: 'yes' | 'no') => {
      const what = `${verb} ${resource} ${ns}/${name ?? '*'}`;
      expect(`${what}: ${await canI(api, NARROW, verb, resource, ns, name)}`).toBe(`${what}: ${answer}`);
    };

    it('may read LLMRoutes and Secrets in the watched namespace, and the API keys Secret', async () => {
      for (const [verb, resource, ns, name] of [
        ['list', 'llmroutes.switchboard.dev', 'team-a'],
        ['update', 'llmroutes.switchboard.dev/status', 'team-a'],
        ['list', 'secrets', 'team-a'],
        ['watch', 'secrets', 'team-a'],
        ['list', 'secrets', 'switchboard', 'switchboard-api-keys'],
        ['watch', 'secrets', 'switchboard', 'switchboard-api-keys'],
      ] as const)
        await expectAnswer(verb, resource, ns, name, 'yes');
    });

    it('may read nothing in other namespaces, nor any other Secret of its own', async () => {
      for (const [verb, resource, ns, name] of [
        ['list', 'llmroutes.switchboard.dev', 'team-b'],
        ['list', 'secrets', 'team-b'],
        ['watch', 'secrets', 'team-b'],
        ['list', 'secrets', 'switchboard'],
        ['watch', 'secrets', 'switchboard'],
        ['list', 'secrets', 'switchboard', 'other'],
        ['get', 'secrets', 'switchboard', 'switchboard-api-keys'],
        ['list', 'secrets', 'default'],
      ] as const)
        await expectAnswer(verb, resource, ns, name, 'no');
    });
  });
});

/** `kubectl auth can-i` as `as`: "yes" or "no". `resource` may carry a subresource (`llmroutes.switchboard.dev/status`). */
async function canI(api: ApiServer, as: string, verb: string, resource: string, ns: string, name?: string): Promise<string> {
  const [type, subresource] = resource.split('/');
  const target = name ? `${type}/${name}` : (type ?? resource);
  const args = ['auth', 'can-i', verb, target, '-n', ns, `--as=${as}`, ...(subresource ? [`--subresource=${subresource}`] : [])];
  const { stdout, stderr } = await api.kubectlStatus(args);
  return stdout.trim() || stderr.trim();
}
