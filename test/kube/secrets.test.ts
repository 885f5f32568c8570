import { join } from 'node:path';
import { hashKey } from '@switchboard/gateway';
import { startMockBackend, type MockBackend } from '@switchboard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess } from '../helpers/cli-process.js';
import {
  credentialSecret,
  installCrd,
  ROOT,
  serviceAccountKubeconfig,
  startApiServer,
  until,
  type ApiServer,
  type AuditEvent,
} from '../helpers/kube.js';

const GATEWAY = 'system:serviceaccount:switchboard:narrow-switchboard';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A Secret without the credential label, applied (so `kubectl apply` leaves a copy of its data in an annotation). */
const plainSecret = (name: string, namespace: string, data: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data });

const route = (name: string, endpoint: string, secret: string) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name}, namespace: team-a }
spec:
  backends:
    - { name: main, provider: openai-compatible, endpoint: "${endpoint}", model: m, auth: { secretRef: { name: ${secret}, key: token } } }
`;

/** Secrets no route may use, each with a value that must never reach the gateway. */
const UNREAD = {
  'team-a/unrelated': 'sk-unread-unrelated-in-watched-namespace',
  'switchboard/other': 'sk-unread-other-in-release-namespace',
  'team-b/labelled-elsewhere': 'sk-unread-labelled-in-unwatched-namespace',
};

/** What a gateway request on Secrets was for, from its query: anything else is a read it should not make. */
function purpose(e: AuditEvent): string {
  const query = new URL(e.requestURI, 'https://api').searchParams;
  const ns = e.objectRef?.namespace;
  if (query.get('labelSelector') === 'switchboard.dev/credential=true' && ns === 'team-a') return `credential ${e.verb}`;
  if (query.get('fieldSelector') === 'metadata.name=switchboard-api-keys' && ns === 'switchboard') return `api-keys ${e.verb}`;
  if (query.get('includeObject') === 'None' && e.verb === 'list') return `exists? ${ns}/${query.get('fieldSelector')}`;
  return `unexpected ${e.verb} ${e.requestURI}`;
}

describe("Secrets: the gateway reads only the credential-labelled ones routes may use, with the chart's namespaced RBAC", () => {
  let api: ApiServer;
  let backend: MockBackend;
  let gateway: Awaited<ReturnType<typeof serveProcess>>;
  const chat = (model: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  const resolvedRefs = async (name: string) =>
    (
      JSON.parse(await api.kubectl(['get', 'llmroute', name, '-n', 'team-a', '-o', 'json'])) as {
        status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
      }
    ).status?.conditions?.find((c) => c.type === 'ResolvedRefs');
  const gatewayEvents = async () => (await api.auditEvents()).filter((e) => e.user.username === GATEWAY);

  beforeAll(async () => {
    api = await startApiServer();
    await installCrd(api);
    for (const ns of ['switchboard', 'team-a', 'team-b']) await api.kubectl(['create', 'namespace', ns]);
    const chart = await api.helm([
      'template',
      'narrow',
      join(ROOT, 'charts/switchboard'),
      '--namespace',
      'switchboard',
      '--set',
      'watchNamespaces={team-a}',
    ]);
    await api.kubectl(['apply', '-f', '-'], chart);
    // Every Secret exists before the gateway starts, so a list without a selector would return them.
    const keys = `keys:\n  - { name: caller, tenant: t, sha256: ${hashKey('sk-caller')} }\n`;
    await api.kubectl(['apply', '-f', '-'], plainSecret('switchboard-api-keys', 'switchboard', { 'keys.yaml': keys }));
    await api.kubectl(['apply', '-f', '-'], credentialSecret('openai-key', { token: 'sk-labelled' }, 'team-a'));
    await api.kubectl(['apply', '-f', '-'], plainSecret('plain-key', 'team-a', { token: 'sk-plain-before-label' }));
    await api.kubectl(['apply', '-f', '-'], plainSecret('unrelated', 'team-a', { token: UNREAD['team-a/unrelated'] }));
    await api.kubectl(['apply', '-f', '-'], plainSecret('other', 'switchboard', { token: UNREAD['switchboard/other'] }));
    await api.kubectl(
      ['apply', '-f', '-'],
      credentialSecret('labelled-elsewhere', { token: UNREAD['team-b/labelled-elsewhere'] }, 'team-b'),
    );
    backend = await startMockBackend({ model: 'backend' });
    gateway = await serveProcess(
      [
        '--kubernetes',
        '--namespaces',
        'team-a',
        '--api-keys-secret',
        'switchboard/switchboard-api-keys',
        '--lease-duration',
        '3s',
      ],
      { KUBECONFIG: await serviceAccountKubeconfig(api, 'switchboard', 'narrow-switchboard'), POD_NAMESPACE: 'switchboard' },
    );
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
    await api?.stop();
  });

  it('serves a route whose Secret carries the credential label, to a caller whose key comes from the API keys Secret', async () => {
    await api.kubectl(['apply', '-f', '-'], route('labelled', backend.url, 'openai-key'));
    await until(
      'labelled route served',
      () => chat('labelled').then((r) => r.status),
      (s) => s === 200,
    );
    expect(backend.lastHeaders?.authorization).toBe('Bearer sk-labelled');
  });

  it('tells a route whose Secret lacks the label to add it, serves it once labelled, and stops when the label goes', async () => {
    await api.kubectl(['apply', '-f', '-'], route('unlabelled', backend.url, 'plain-key'));
    const refused = await until(
      'SecretNotLabelled',
      () => resolvedRefs('unlabelled'),
      (c) => c?.reason === 'SecretNotLabelled',
    );
    expect(refused).toMatchObject({
      status: 'False',
      message: expect.stringContaining(
        'Secret team-a/plain-key exists but is not labelled switchboard.dev/credential=true',
      ) as unknown,
    });
    expect(refused?.message).toContain('kubectl label secret -n team-a plain-key switchboard.dev/credential=true');
    expect((await chat('unlabelled')).status).toBe(404);

    await api.kubectl(['label', 'secret', 'plain-key', '-n', 'team-a', 'switchboard.dev/credential=true']);
    await until(
      'served once labelled',
      () => chat('unlabelled').then((r) => r.status),
      (s) => s === 200,
    );
    expect(backend.lastHeaders?.authorization).toBe('Bearer sk-plain-before-label');

    await api.kubectl(['label', 'secret', 'plain-key', '-n', 'team-a', 'switchboard.dev/credential-']);
    await until(
      'no longer served',
      () => chat('unlabelled').then((r) => r.status),
      (s) => s === 404,
    );
    expect(await resolvedRefs('unlabelled')).toMatchObject({ status: 'False', reason: 'SecretNotLabelled' });
  });

  it('never reads a Secret it may not use: every Secret request the gateway made, as the audit log has it', async () => {
    const events = await gatewayEvents();
    const purposes = [...new Set(events.map(purpose))].sort();
    expect(purposes).toEqual([
      'api-keys list',
      'api-keys watch',
      'credential list',
      'credential watch',
      'exists? team-a/metadata.name=plain-key',
    ]);
    // The log holds the answers (the labelled Secret's data is in a list answer): absence below means something.
    const answers = events.map((e) => JSON.stringify(e.responseObject ?? null));
    expect(answers.some((a) => a.includes(b64('sk-labelled')))).toBe(true);
    for (const [secret, value] of Object.entries(UNREAD)) {
      const [ns, name] = secret.split('/');
      expect(events.filter((e) => e.objectRef?.namespace === ns && e.objectRef?.name === name)).toEqual([]);
      expect(answers.filter((a) => a.includes(value) || a.includes(b64(value)))).toEqual([]);
      expect(answers.filter((a) => a.includes(`"${name}"`)).length, `${secret} named in an answer`).toBe(0);
    }
    // Asking whether the unlabelled Secret exists returned neither its data nor the annotation that copies it.
    const probes = events.filter((e) => purpose(e).startsWith('exists?')).map((e) => JSON.stringify(e.responseObject));
    expect(probes.length).toBeGreaterThan(0);
    for (const p of probes) {
      expect(p).not.toContain('sk-plain-before-label');
      expect(p).not.toContain(b64('sk-plain-before-label'));
      expect(p).not.toContain('last-applied-configuration');
    }
  });
});
