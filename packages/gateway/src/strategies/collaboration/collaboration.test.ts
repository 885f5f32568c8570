import { describe, expect, it } from 'vitest';
import type { LLMRoute } from '@switchboard/api';
import { GatewayError } from '../../errors.js';
import { backend, chatAnswer, inProcess } from '../../fixtures/in-process.fixture.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { TransportCall } from '../../transport/transport.js';
import { graphOf } from './run.js';
import { makePlan, estimatePlan, callsOf } from './plans.js';

// Collaboration routes in process: the real app, plan, build, controller and
// runner; a scripted transport records every call (its backend, its body, in
// order) and holds calls open where a test needs to see them in flight.

type Obj = Record<string, unknown>;
type Collaboration = NonNullable<NonNullable<LLMRoute['spec']['routing']>['collaboration']>;

const BACKENDS = [
  backend('small', { cost: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.2 } }),
  backend('medium', { cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 } }),
  backend('large', { cost: { inputPerMillionTokens: 5, outputPerMillionTokens: 10 } }),
];

async function team(collaboration: Collaboration, opts: { limits?: Record<string, number> } = {}) {
  return inProcess(
    { team: { backends: BACKENDS, routing: { strategy: 'collaboration', collaboration } } },
    { auth: true, ...opts },
  );
}

const ask = (content = 'Hello!', extra: Obj = {}) => ({ model: 'team', messages: [{ role: 'user', content }], ...extra });

/** The last user message of a recorded call (the stage's prompt). */
const lastUser = (body: Obj) => {
  const messages = body.messages as { role: string; content: string }[];
  return messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
};
const systemOf = (body: Obj) => (body.messages as { role: string; content: string }[])[0]?.content ?? '';

/** Answers every call with text naming the backend and the call's number; usage 10 + 3. */
function numbered(gw: Awaited<ReturnType<typeof team>>) {
  let n = 0;
  for (const b of ['small', 'medium', 'large']) {
    gw.transport.answer(b, (call) => ({
      json: chatAnswer(call.backend, {
        choices: [{ index: 0, message: { role: 'assistant', content: `${b}#${++n}` }, finish_reason: 'stop' }],
      }),
    }));
  }
}

describe('collaboration modes', () => {
  it('single: one call with the role in front of the client messages', async () => {
    const gw = await team({ mode: 'single' });
    const res = await gw.post('/v1/chat/completions', ask());
    expect(res.status).toBe(200);
    expect(gw.transport.calls).toHaveLength(1);
    expect(res.headers.get('x-switchboard-collaboration')).toMatch(/^mode=single; agents=1; team=assistant@/);
    expect((gw.transport.calls[0]!.body.messages as Obj[]).slice(1)).toEqual([{ role: 'user', content: 'Hello!' }]);
  });

  it('cot: the step-by-step prompt joins the role', async () => {
    const gw = await team({ mode: 'cot' });
    await gw.post('/v1/chat/completions', ask());
    expect(systemOf(gw.transport.calls[0]!.body)).toMatch(/Think step by step/);
  });

  it('chain: each agent refines the previous answer, in order', async () => {
    const gw = await team({ mode: 'chain', agents: 3 });
    numbered(gw);
    const res = (await (await gw.post('/v1/chat/completions', ask())).json()) as Obj;
    const calls = gw.transport.calls;
    expect(calls.map((c) => c.backend)).toEqual(['small', 'medium', 'large']);
    expect(lastUser(calls[1]!.body)).toContain('small#1');
    expect(lastUser(calls[2]!.body)).toContain('medium#2');
    expect(JSON.stringify(res)).toContain('large#3');
  });

  it('reflection: answer, critique by the judge, revision (rounds bounded)', async () => {
    const gw = await team({ mode: 'reflection', rounds: 2, judge: 'large' });
    numbered(gw);
    await gw.post('/v1/chat/completions', ask());
    const calls = gw.transport.calls;
    expect(calls.map((c) => c.backend)).toEqual(['small', 'large', 'small', 'large', 'small']);
    expect(lastUser(calls[1]!.body)).toMatch(/Critique the answer/);
    expect(lastUser(calls[2]!.body)).toMatch(/## Critique\n\nlarge#2/);
    expect(lastUser(calls[4]!.body)).toMatch(/Revise your answer/);
  });

  it('debate: agents answer concurrently, see each other for the rounds, then the judge decides', async () => {
    const gw = await team({ mode: 'debate', agents: 3, rounds: 1, judge: 'large' });
    const open: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    let n = 0;
    for (const b of ['small', 'medium', 'large']) {
      gw.transport.answer(b, (call) => {
        const id = ++n;
        inFlight++;
        most = Math.max(most, inFlight);
        const answer = {
          json: chatAnswer(call.backend, {
            choices: [{ index: 0, message: { role: 'assistant', content: `${b}#${id}` }, finish_reason: 'stop' }],
          }),
        };
        // Held until three calls are in flight (or the judge's call, which is alone).
        return new Promise((resolve) => {
          open.push(() => {
            inFlight--;
            resolve(answer);
          });
          if (open.length === 3 || lastUser(call.body).includes('Decide which is correct'))
            for (const release of open.splice(0)) release();
        });
      });
    }
    const res = await gw.post('/v1/chat/completions', ask());
    expect(res.status).toBe(200);
    expect(most).toBe(3);
    const calls = gw.transport.calls;
    expect(calls).toHaveLength(7);
    expect(calls.slice(0, 3).map((c) => c.backend)).toEqual(['small', 'medium', 'large']);
    expect(lastUser(calls[3]!.body)).toMatch(/Other agents' answers/);
    expect(calls[6]!.backend).toBe('large');
    expect(lastUser(calls[6]!.body)).toMatch(/Decide which is correct/);
  });

  it('fusion: a panel in parallel, structured findings from the judge, a synthesis', async () => {
    const gw = await team({ mode: 'fusion', agents: 3, judge: 'large', synthesizer: 'medium' });
    numbered(gw);
    const res = await gw.post('/v1/chat/completions', ask());
    const calls = gw.transport.calls;
    expect(calls).toHaveLength(5);
    expect(lastUser(calls[3]!.body)).toMatch(/Reply with JSON only: \{"agreement"/);
    expect(calls[3]!.backend).toBe('large');
    expect(calls[4]!.backend).toBe('medium');
    expect(lastUser(calls[4]!.body)).toMatch(/## A judge's findings\n\nlarge#4/);
    expect(res.headers.get('x-switchboard-collaboration')).toMatch(/mode=fusion; agents=3; .*judge=large; synthesizer=medium/);
    expect(res.headers.get('x-switchboard-collaboration-trace')?.split(', ')).toHaveLength(4);
  });

  it('graphs: every mode ends in exactly one final step, and the estimate counts the calls the graph makes', () => {
    const roles = [{ name: 'r', systemPrompt: 's', tasks: [], backends: [] }];
    const compiled = (name: string): CompiledBackend =>
      ({ name, inputPricePerToken: 1e-6, outputPricePerToken: 1e-6, maxOutputTokens: undefined }) as CompiledBackend;
    const [small, large] = [compiled('small'), compiled('large')];
    for (const mode of ['single', 'cot', 'chain', 'reflection', 'debate', 'fusion'] as const) {
      const plan = makePlan(
        { mode, agents: 3, assignment: 'mixed', rounds: 2, minSuccessful: undefined },
        roles,
        [small, large],
        large,
        large,
        new Map(),
      );
      const graph = graphOf(plan);
      expect(graph.filter((s) => s.final)).toHaveLength(1);
      expect(graph.at(-1)?.final).toBe(true);
      const calls = graph.reduce((n, s) => n + (s.who === 'agents' ? plan.agents.length : 1), 0);
      expect(callsOf(plan)).toBe(calls);
      expect(
        estimatePlan(
          plan,
          () => 10,
          () => 5,
        ).calls,
      ).toBe(calls);
    }
  });
});

describe('collaboration execution', () => {
  it('adds up usage over every call, and prices each call at its backend', async () => {
    const gw = await team({ mode: 'fusion', agents: 3 });
    const res = (await (await gw.post('/v1/chat/completions', ask())).json()) as { usage: Obj };
    // Five calls of 10 + 3 tokens each.
    expect(res.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 15, total_tokens: 65 });
    const metrics = await gw.deps.metrics.registry.metrics();
    const cost = (b: string) =>
      Number(new RegExp(`switchboard_cost_total\\{[^}]*backend="${b}"[^}]*\\} ([\\d.e-]+)`).exec(metrics)?.[1] ?? 0);
    expect(cost('small')).toBeCloseTo((10 * 0.1 + 3 * 0.2) / 1e6, 12);
    // large is an agent, the judge and the synthesizer.
    expect(cost('large')).toBeCloseTo(((10 * 5 + 3 * 10) * 3) / 1e6, 12);
  });

  it('returns the trace in the body when the client asks', async () => {
    const gw = await team({ mode: 'reflection' });
    const res = (await (
      await gw.post('/v1/chat/completions', ask(), { 'x-switchboard-collaboration-trace': 'true' })
    ).json()) as Obj;
    const ext = res.switchboard_collaboration as { trace: { stage: string; backend: string }[]; plan: string };
    expect(ext.trace.map((t) => t.stage)).toEqual(['answer', 'critique']);
    expect(ext.plan).toMatch(/^mode=reflection/);
  });

  it('goes on when minSuccessful agents answer, and names what failed when too few do', async () => {
    const down = () => ({
      kind: 'retry' as const,
      reason: '5xx' as const,
      error: new GatewayError(502, 'upstream_error', 'down'),
    });
    const gw = await team({ mode: 'fusion', agents: 3, minSuccessful: 2, judge: 'large' });
    // small fails everywhere it is asked: its agent fails over to medium, and the panel still has 3.
    gw.transport.answer('small', down);
    expect((await gw.post('/v1/chat/completions', ask())).status).toBe(200);

    const strict = await inProcess(
      {
        team: {
          backends: BACKENDS,
          resilience: { maxAttempts: 1 },
          routing: { strategy: 'collaboration', collaboration: { mode: 'fusion', agents: 3, minSuccessful: 2, judge: 'large' } },
        },
      },
      { auth: true },
    );
    strict.transport.answer('small', down);
    const one = await strict.post('/v1/chat/completions', ask());
    expect(one.status).toBe(200);
    expect(one.headers.get('x-switchboard-collaboration-trace')).toMatch(/answer\/[a-z-]+@small:failed/);
    strict.transport.answer('medium', down);
    const two = await strict.post('/v1/chat/completions', ask());
    expect(two.status).toBe(502);
    const error = ((await two.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('collaboration_failed');
    expect(error.message).toMatch(/answer stage needed 2 answer\(s\) and got 1\. Failed: .*@small.*@medium/);
  });

  it('cuts a plan over the budget before any call', async () => {
    const gw = await team({ mode: 'fusion', agents: 3, budget: { maxCalls: 3 } });
    const res = await gw.post('/v1/chat/completions', ask());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('collaboration_over_budget');
    expect(gw.transport.calls).toHaveLength(0);
    // auto picks only plans that fit.
    const auto = await team({ mode: 'auto', budget: { maxCalls: 1 } });
    await auto.post(
      '/v1/chat/completions',
      ask('Explain in detail the history of the printing press and its effects on Europe.'),
    );
    expect(auto.transport.calls).toHaveLength(1);
  });

  it('stops a collaboration that calls itself through the gateway (x-switchboard-depth)', async () => {
    const gw = await team({ mode: 'single' });
    await gw.post('/v1/chat/completions', ask());
    expect(gw.transport.calls[0]!.headers['x-switchboard-depth']).toBe('1');
    const looped = await gw.post('/v1/chat/completions', ask(), { 'x-switchboard-depth': '1' });
    expect(looped.status).toBe(508);
    expect(((await looped.json()) as { error: { code: string } }).error.code).toBe('collaboration_loop');
    expect(gw.transport.calls).toHaveLength(1);
  });

  it("counts every agent call against the caller's token limit", async () => {
    const gw = await team({ mode: 'fusion', agents: 3 }, { limits: { tokensPerMinute: 150 } });
    // Each answer uses 5 calls x 13 tokens = 65 (and reserves its estimate first): two fit in 150, the third does not.
    // Were only the final call counted (13 each), all three would.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await gw.post('/v1/chat/completions', ask('Hi', { max_tokens: 3 }))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('streams only the final stage to a streaming client, with the whole usage when asked', async () => {
    const gw = await team({ mode: 'fusion', agents: 3, synthesizer: 'medium', judge: 'large' });
    const chunk = (delta: Obj, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    gw.transport.answer('medium', (call: TransportCall) =>
      call.stream
        ? {
            sse: [
              chunk({ role: 'assistant', content: 'fin' }),
              chunk({ content: 'al' }, 'stop'),
              `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 20, completion_tokens: 2, total_tokens: 22 } })}\n\n`,
              'data: [DONE]\n\n',
            ],
          }
        : { json: chatAnswer(call.backend) },
    );
    const res = await gw.post('/v1/chat/completions', ask('Hi', { stream: true, stream_options: { include_usage: true } }));
    const text = await res.text();
    const payloads = text
      .split('\n\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as { choices: { delta?: { content?: string } }[]; usage?: Obj });
    expect(payloads.map((p) => p.choices[0]?.delta?.content ?? '').join('')).toBe('final');
    // Four internal calls of 10 + 3, and the final one's 20 + 2.
    expect(payloads.at(-1)?.usage).toMatchObject({ prompt_tokens: 60, completion_tokens: 14 });
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(gw.transport.calls.filter((c) => c.body.stream === true)).toHaveLength(1);
  });
});

describe('the collaboration controller', () => {
  it('lets a client fix the plan only where the route allows it', async () => {
    const closed = await team({ mode: 'auto' });
    const res = await closed.post('/v1/chat/completions', ask(), { 'x-switchboard-collaboration': 'mode=debate,agents=2' });
    expect(res.headers.get('x-switchboard-collaboration')).not.toMatch(/by=client/);
    const open = await team({ mode: 'auto', allowClientPlans: true });
    const fixed = await open.post('/v1/chat/completions', ask(), { 'x-switchboard-collaboration': 'mode=debate,agents=2' });
    expect(fixed.headers.get('x-switchboard-collaboration')).toMatch(/^mode=debate; agents=2; .*by=client/);
    const bad = await open.post('/v1/chat/completions', ask(), { 'x-switchboard-collaboration': 'mode=party' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_collaboration_plan');
  });

  it('tells code, math and general prompts apart and plans for them', async () => {
    const gw = await team({ mode: 'auto', budget: { maxCalls: 8 } });
    const plan = async (content: string) =>
      (await gw.post('/v1/chat/completions', ask(content))).headers.get('x-switchboard-collaboration') ?? '';
    expect(await plan('write a python function that reverses a list')).toMatch(/team=(programmer|code-reviewer|test-engineer)@/);
    expect(await plan('solve for x in the equation 2x + 3 = 7')).toMatch(/team=(mathematician|calculator|skeptic)@/);
    expect(await plan('hi')).toMatch(/^mode=single; agents=1; team=assistant@small/);
  });

  it('moves away from a plan that keeps losing, on feedback', async () => {
    const gw = await team({
      mode: 'auto',
      modes: ['single'],
      learning: { algorithm: 'epsilon-greedy', epsilon: 0, costWeight: 0 },
    });
    const once = async () => {
      const res = await gw.post('/v1/chat/completions', ask('hi'));
      return {
        plan: res.headers.get('x-switchboard-collaboration') ?? '',
        id: res.headers.get('x-switchboard-feedback-id') ?? '',
      };
    };
    const score = (id: string, value: number) => gw.post('/v1/feedback', { request_id: id, score: value });
    const first = await once();
    expect(first.plan).toMatch(/@small/);
    expect((await score(first.id, 0)).status).toBe(200);
    const second = await once();
    expect(second.plan).toMatch(/@large/);
    await score(second.id, 1);
    for (let i = 0; i < 3; i++) {
      const next = await once();
      expect(next.plan).toMatch(/@large/);
      await score(next.id, 1);
    }
  });

  it('without feedback, stays with the prior (the cheap plan for an easy prompt)', async () => {
    const gw = await team({ mode: 'auto', modes: ['single'], learning: { algorithm: 'epsilon-greedy', epsilon: 0 } });
    const plans: string[] = [];
    for (let i = 0; i < 4; i++)
      plans.push((await gw.post('/v1/chat/completions', ask('hi'))).headers.get('x-switchboard-collaboration') ?? '');
    // Each plan is tried once, then the ties go to the first: the prior's.
    expect(plans.map((p) => /@(\w+)/.exec(p)?.[1])).toEqual(['small', 'large', 'small', 'small']);
  });
});
