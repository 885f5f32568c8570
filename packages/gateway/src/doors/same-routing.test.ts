import { describe, expect, it } from 'vitest';
import { backend, inProcess, type InProcess } from '../fixtures/in-process.fixture.js';

// Routing is the same whichever door a request comes through: the same
// conversation sent as chat completions, as a Responses request and as a
// Messages request reaches the same backend for the same reason, with the
// same prompt token count, rules, limits and metrics.

const SYSTEM = 'You answer briefly.';
const PROMPTS = ['write a python function that parses a date', 'draft a polite email declining an invitation', 'hello there'];

const asChat = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'desk',
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: text },
  ],
  ...extra,
});
const asResponses = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'desk',
  instructions: SYSTEM,
  input: text,
  ...extra,
});
const asMessages = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'desk',
  max_tokens: 64,
  system: SYSTEM,
  messages: [{ role: 'user', content: text }],
  ...extra,
});

const DOORS: [string, string, (text: string, extra?: Record<string, unknown>) => unknown, Record<string, string>][] = [
  ['chat completions', '/v1/chat/completions', asChat, {}],
  ['responses', '/v1/responses', asResponses, {}],
  ['messages', '/v1/messages', asMessages, { 'anthropic-version': '2023-06-01' }],
];

async function desk(limits?: Record<string, number>): Promise<InProcess> {
  return inProcess(
    {
      desk: {
        backends: [backend('coder'), backend('writer'), backend('general'), backend('vip')],
        routing: {
          strategy: 'semantic',
          rules: [{ name: 'vip', backend: 'vip', header: { name: 'x-tier', equals: 'gold' } }],
          semantic: {
            default: 'general',
            routes: [
              {
                name: 'coding',
                backend: 'coder',
                threshold: 0.15,
                utterances: ['write a python function that', 'fix the bug in my code'],
              },
              { name: 'writing', backend: 'writer', threshold: 0.15, utterances: ['draft a polite email', 'write a short poem'] },
            ],
          },
        },
      },
    },
    { auth: true, ...(limits ? { limits } : {}) },
  );
}

describe('routing through every door', () => {
  it('sends the same prompt to the same backend with the same decision, whichever door', async () => {
    const gw = await desk();
    for (const text of PROMPTS) {
      const seen = new Set<string>();
      for (const [, path, body, headers] of DOORS) {
        const res = await gw.post(path, body(text), headers);
        expect(res.status).toBe(200);
        seen.add(`${res.headers.get('x-switchboard-backend')} ${res.headers.get('x-switchboard-decision')}`);
      }
      expect(seen.size, text).toBe(1);
    }
    // And each time the backend got the same conversation, as chat messages.
    const sent = gw.transport.calls.map((c) => JSON.stringify(c.body.messages));
    expect(new Set(sent.slice(0, 3)).size).toBe(1);
  });

  it('applies rules, and one API key limit, across doors', async () => {
    const gw = await desk({ requestsPerMinute: 6 });
    for (const [, path, body, headers] of DOORS) {
      const res = await gw.post(path, body('write a python function that parses a date'), { ...headers, 'x-tier': 'gold' });
      expect(res.headers.get('x-switchboard-backend')).toBe('vip');
      expect(res.headers.get('x-switchboard-decision')).toBe('rule:vip');
    }
    // Six requests a minute for the key, whatever the door: three used above, three more pass, the seventh is refused.
    const statuses: number[] = [];
    for (const [, path, body, headers] of [...DOORS, ...DOORS, DOORS[0]!])
      statuses.push((await gw.post(path, body('hi'), headers)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429]);
  });

  it('counts the prompt the same for limits and routing (input_tokens and count_tokens agree with chat)', async () => {
    const gw = await desk();
    const text = 'Explain in two sentences why a routing gateway helps platform teams.';
    const responses = (await (await gw.post('/v1/responses/input_tokens', asResponses(text))).json()) as { input_tokens: number };
    const messages = (await (await gw.post('/v1/messages/count_tokens', asMessages(text), DOORS[2]![3])).json()) as {
      input_tokens: number;
    };
    expect(responses.input_tokens).toBeGreaterThan(0);
    expect(messages.input_tokens).toBe(responses.input_tokens);
  });

  it('reports requests of every door in the same metrics', async () => {
    const gw = await desk();
    for (const [, path, body, headers] of DOORS) await gw.post(path, body('hello there'), headers);
    const metrics = await gw.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/switchboard_requests_total\{route="default\/desk",backend="general",status="200"\} 3/);
  });
});
