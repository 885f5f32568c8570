import { describe, expect, it } from 'vitest';
import { backend, chatAnswer, inProcess } from '../../fixtures/in-process.fixture.js';

const logprobs = (lp: number) => ({ content: [{ token: 'x', logprob: lp, bytes: null, top_logprobs: [] }] });

describe('cascade runner (in process)', () => {
  it('escalates past an unconfident cheap answer, strips the logprobs it asked for, and says what it tried', async () => {
    const gw = await inProcess({
      c: {
        backends: [backend('cheap', { cost: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.1 } }), backend('pricey')],
        routing: { strategy: 'cascade', cascade: { minMeanLogprob: -0.5 } },
      },
    });
    gw.transport.answer('cheap', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [{ index: 0, message: { role: 'assistant', content: 'meh' }, logprobs: logprobs(-2) }],
      }),
    }));
    gw.transport.answer('pricey', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [{ index: 0, message: { role: 'assistant', content: 'sure' }, logprobs: logprobs(-0.1) }],
      }),
    }));
    const res = await gw.post('/v1/chat/completions', { model: 'c', messages: [{ role: 'user', content: 'hard' }] });
    expect(res.headers.get('x-switchboard-backend')).toBe('pricey');
    expect(res.headers.get('x-switchboard-cascade')).toBe('cheap=-2.000, pricey=-0.100');
    const body = (await res.json()) as { choices: { logprobs: unknown }[] };
    expect(body.choices[0]?.logprobs).toBeNull();
    expect(gw.transport.calls.map((c) => [c.backend, c.body.logprobs, c.body.stream])).toEqual([
      ['cheap', true, false],
      ['pricey', true, false],
    ]);
  });

  it("asks the verifier, and counts the verifier's usage for the request's limits", async () => {
    const gw = await inProcess({
      v: {
        backends: [backend('cheap'), backend('judge')],
        routing: { strategy: 'cascade', cascade: { stages: ['cheap'], confidence: 'verifier', verifier: 'judge' } },
      },
    });
    gw.transport.answer('judge', (call) => ({
      json: chatAnswer(call.backend, { choices: [{ index: 0, message: { role: 'assistant', content: 'yes' } }] }),
    }));
    const res = await gw.post('/v1/chat/completions', { model: 'v', messages: [{ role: 'user', content: 'q' }] });
    expect(res.headers.get('x-switchboard-cascade')).toBe('cheap=1.000');
    const verifier = gw.transport.calls[1];
    expect(verifier?.backend).toBe('judge');
    expect(JSON.stringify(verifier?.body.messages)).toContain('Is the answer correct?');
    const metrics = await gw.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/gen_ai_client_token_usage_count\{[^}]*switchboard_backend="judge",gen_ai_token_type="input"\} 1/);
  });
});
