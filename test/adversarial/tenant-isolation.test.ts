import { hashKey } from '@switchboard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, startHarness, type Harness } from '../helpers/harness.js';

// One tenant never reaches another's data: feedback ledger entries, model
// lists, and routes of the same name in other namespaces.

const KEY_A = 'sk-tenant-a-0123456789';
const KEY_B = 'sk-tenant-b-0123456789';
const KEY_BARE = 'sk-bare-name-0123456789';
const KEY_NS = 'sk-namespaced-0123456789';

const backend = (name: string, url: string) =>
  `    - { name: ${name}, provider: openai-compatible, endpoint: ${url}, model: ${name}-model }\n`;
const route = (name: string, namespace: string, models: string[], body: string) =>
  `apiVersion: switchboard.dev/v1alpha1\nkind: LLMRoute\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n  modelNames: [${models.join(', ')}]\n  backends:\n${body}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    ([a, b]) =>
      [
        route(
          'learner',
          'default',
          ['learner'],
          `${backend('a', a ?? '')}${backend('b', b ?? '')}  routing:\n    strategy: bandit\n    bandit: { algorithm: epsilon-greedy, epsilon: 0 }\n`,
        ),
        route('assistant', 'team-a', ['assistant-a'], backend('a', a ?? '')),
        route('assistant', 'team-b', ['assistant-b'], backend('b', b ?? '')),
        route('secret-project', 'default', ['secret-project'], backend('a', a ?? '')),
      ].join('---\n'),
    [{}, {}],
    {
      apiKeys: `keys:
  - { name: a, tenant: team-a, sha256: ${hashKey(KEY_A)}, routes: [learner, team-a/assistant] }
  - { name: b, tenant: team-b, sha256: ${hashKey(KEY_B)}, routes: [learner, team-b/assistant] }
  - { name: bare, tenant: team-c, sha256: ${hashKey(KEY_BARE)}, routes: [assistant] }
  - { name: ns, tenant: team-c, sha256: ${hashKey(KEY_NS)}, routes: [team-a/assistant] }
`,
    },
  );
});
afterAll(() => h.close());

const ask = (key: string, model: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: chatBody(model),
  });
const feedback = (key: string, id: string, score: number) =>
  fetch(`${h.url}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ request_id: id, score }),
  });
const backendOf = async (key: string, model: string) => {
  const res = await ask(key, model);
  await res.arrayBuffer();
  return res.headers.get('x-switchboard-backend');
};

describe('feedback', () => {
  it("is accepted only from the key that made the request, once; another tenant's replays change nothing", async () => {
    const first = await ask(KEY_A, 'learner');
    const second = await ask(KEY_A, 'learner');
    expect([first.headers.get('x-switchboard-backend'), second.headers.get('x-switchboard-backend')]).toEqual(['a', 'b']);
    const id = first.headers.get('x-switchboard-feedback-id') as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Tenant B replays tenant A's id 500 times: nothing is found, nothing is learnt.
    const replays = await Promise.all(Array.from({ length: 500 }, () => feedback(KEY_B, id, 0)));
    expect(new Set(replays.map((r) => r.status))).toEqual(new Set([404]));
    expect(await backendOf(KEY_A, 'learner')).toBe('a');
    // The owner scores it once; the second time it is gone.
    expect((await feedback(KEY_A, id, 0)).status).toBe(200);
    expect((await feedback(KEY_A, id, 1)).status).toBe(404);
    expect(await backendOf(KEY_A, 'learner')).toBe('b');
  });

  it("keys the ledger on the gateway's own ids: a client-chosen x-request-id cannot reach another caller's answer", async () => {
    const mine = await ask(KEY_A, 'learner', { 'x-request-id': 'chosen-id-1' });
    expect(mine.headers.get('x-request-id')).toBe('chosen-id-1');
    const gatewayId = mine.headers.get('x-switchboard-feedback-id') as string;
    expect(gatewayId).not.toBe('chosen-id-1');
    // Another caller sending the same x-request-id creates its own record, not a replacement of A's.
    await (await ask(KEY_B, 'learner', { 'x-request-id': 'chosen-id-1' })).arrayBuffer();
    expect((await feedback(KEY_A, 'chosen-id-1', 0)).status).toBe(404);
    expect((await feedback(KEY_B, 'chosen-id-1', 0)).status).toBe(404);
    const scored = await feedback(KEY_A, gatewayId, 1);
    expect(scored.status).toBe(200);
    expect(await scored.json()).toMatchObject({ backend: mine.headers.get('x-switchboard-backend') });
  });
});

describe('model lists and names', () => {
  it('an unknown model lists only the models the key may use', async () => {
    const res = await ask(KEY_A, 'no-such-model');
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toContain('assistant-a');
    expect(error.message).toContain('learner');
    expect(error.message).not.toContain('assistant-b');
    expect(error.message).not.toContain('secret-project');
  });

  it('GET /v1/models lists only what the key may use', async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${KEY_B}` } });
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(['assistant-b', 'learner']);
  });

  it('a bare route name in an allow-list does not match that name in every namespace', async () => {
    expect((await ask(KEY_BARE, 'assistant-a')).status).toBe(403);
    expect((await ask(KEY_BARE, 'assistant-b')).status).toBe(403);
    expect((await ask(KEY_NS, 'assistant-a')).status).toBe(200);
    expect((await ask(KEY_NS, 'assistant-b')).status).toBe(403);
  });

  it('takes the Bearer scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `${scheme} ${KEY_A}` } });
      expect(res.status, scheme).toBe(200);
    }
  });
});
