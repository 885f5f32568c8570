import { describe, expect, it } from 'vitest';
import { backend, inProcess } from '../fixtures/in-process.fixture.js';

describe('GET /v1/models (in process)', () => {
  it('lists every model name of every route, and retrieves one', async () => {
    const gw = await inProcess({ a: { modelNames: ['x', 'y'], backends: [backend('b')] }, c: { backends: [backend('d')] } });
    const list = (await (await gw.app.request('/v1/models')).json()) as {
      object: string;
      data: { id: string; object: string }[];
    };
    expect(list.object).toBe('list');
    expect(list.data.map((m) => m.id)).toEqual(['c', 'x', 'y']);
    expect((await gw.app.request('/v1/models/y')).status).toBe(200);
    const missing = await gw.app.request('/v1/models/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('answers 405 to other methods', async () => {
    const gw = await inProcess({ a: { backends: [backend('b')] } });
    const res = await gw.app.request('/v1/models', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
