import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../helpers/harness.js';

// A collaboration route on a real gateway, the official OpenAI SDK as the
// client, simulated backends behind (each records what it received).

const route = (urls: string[], collaboration: string) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: team }
spec:
  backends:
${urls
  .map(
    (url, i) =>
      `    - { name: b${i}, provider: openai-compatible, endpoint: "${url}", model: m${i}, cost: { inputPerMillionTokens: ${i + 1}, outputPerMillionTokens: ${2 * (i + 1)} } }`,
  )
  .join('\n')}
  routing:
    strategy: collaboration
    collaboration: ${collaboration}
`;

describe('collaboration routes through the OpenAI SDK', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('streams only the final stage, with the plan in a header and the whole usage at the end', async () => {
    h = await startHarness(
      (urls) => route(urls, '{ mode: fusion, agents: 3, judge: b2, synthesizer: b1 }'),
      [{ replyText: 'panel zero' }, { replyText: 'the synthesis' }, { replyText: 'panel or judge' }],
    );
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'team',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-switchboard-collaboration')).toMatch(/^mode=fusion; agents=3; .*synthesizer=b1/);
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('the synthesis');
    const [b0, b1, b2] = h.mocks.map((m) => m.received.get('/v1/chat/completions') ?? 0);
    // b0, b1, b2 each an agent; b2 also the judge; b1 also the synthesizer (the one streamed call).
    expect([b0, b1, b2]).toEqual([1, 2, 2]);
    // Five calls' usage, as the simulated backends reported it (a fixed reply is one completion token).
    expect(usage?.completion_tokens).toBe(5);
  });

  it('cancels every in-flight agent call when the client goes away', async () => {
    h = await startHarness(
      (urls) => route(urls, '{ mode: fusion, agents: 3, judge: b2 }'),
      [{ latencyMs: 60_000 }, { latencyMs: 60_000 }, { latencyMs: 60_000 }],
    );
    const mocks = h.mocks;
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const abort = new AbortController();
    const call = client.chat.completions.create(
      { model: 'team', messages: [{ role: 'user', content: 'Hi' }] },
      { signal: abort.signal },
    );
    call.catch(() => undefined);
    // The panel's three calls are in flight at once.
    await eventually(() => mocks.every((m) => (m.received.get('/v1/chat/completions') ?? 0) === 1));
    abort.abort();
    await expect(call).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(
      () => mocks.every((m) => m.closedEarly === 1),
      5000,
      () => mocks.map((m) => m.closedEarly).join(','),
    );
    // Nothing more was asked after the client left (no judge, no synthesis).
    expect(mocks.map((m) => m.received.get('/v1/chat/completions') ?? 0)).toEqual([1, 1, 1]);
  });
});
