import { describe, expect, it } from 'vitest';
import { backend, inProcess } from '../fixtures/in-process.fixture.js';

describe('POST /v1/feedback (in process)', () => {
  it('scores an answer of a learning route once, by its feedback id', async () => {
    const gw = await inProcess(
      {
        learner: {
          backends: [backend('a'), backend('b')],
          routing: { strategy: 'bandit', bandit: { algorithm: 'epsilon-greedy', epsilon: 0 } },
        },
      },
      { auth: true },
    );
    const answer = await gw.post('/v1/chat/completions', { model: 'learner', messages: [{ role: 'user', content: 'hi' }] });
    const id = answer.headers.get('x-switchboard-feedback-id') as string;
    expect(id).toBeTruthy();
    const scored = await gw.post('/v1/feedback', { request_id: id, score: 0.2 });
    expect(scored.status).toBe(200);
    expect(await scored.json()).toMatchObject({ object: 'feedback', backend: 'a', route: 'default/learner', score: 0.2 });
    expect((await gw.post('/v1/feedback', { request_id: id, score: 0.2 })).status).toBe(404);
    expect((await gw.post('/v1/feedback', { request_id: id, score: 7 })).status).toBe(400);
  });

  it('answers without a feedback id on routes that do not learn', async () => {
    const gw = await inProcess({ plain: { backends: [backend('a')] } });
    const answer = await gw.post('/v1/chat/completions', { model: 'plain', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.headers.get('x-switchboard-feedback-id')).toBeNull();
  });
});
