import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAccess } from '../auth/admin-key.js';
import { backend, inProcess, type InProcess } from '../fixtures/in-process.fixture.js';

// Explaining a strategy that asks a remote model makes a real call to that
// model. An API-key holder must not get round its rate limit that way, and
// explaining must still work for the rest (it reads limits, never takes them).

const ADMIN = 'admin-key-0123456789abcdef';
let server: Server;
let embedded = 0;
let gw: InProcess;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const input = (JSON.parse(body) as { input: string[] }).input;
      embedded += input.length;
      const data = input.map((text, index) => ({ index, embedding: text.includes('code') ? [1, 0] : [0, 1] }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  gw = await inProcess(
    {
      remote: {
        backends: [backend('coder'), backend('general')],
        routing: {
          strategy: 'semantic',
          embeddings: { endpoint, model: 'two' },
          semantic: {
            encoder: 'remote',
            default: 'general',
            routes: [{ name: 'coding', backend: 'coder', threshold: 0.5, utterances: ['write code'] }],
          },
        },
      },
      local: { backends: [backend('a')] },
    },
    { auth: true, limits: { requestsPerMinute: 2 }, deps: () => ({ admin: adminAccess(ADMIN, false) }) },
  );
}, 30_000);

afterAll(() => new Promise((resolve) => server.close(resolve)));

const explain = (model: string, headers: Record<string, string> = {}) =>
  gw.post('/v1/route/explain', { model, messages: [{ role: 'user', content: 'please write code' }] }, headers);

describe('POST /v1/route/explain and rate limits', () => {
  it("counts an explain that asks a remote model as one of the key's requests, and refuses past the limit without asking", async () => {
    const before = embedded;
    for (let i = 0; i < 2; i++) {
      const res = await explain('remote');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ askedModel: true, chosen: 'coder' });
    }
    expect(embedded - before).toBe(2);
    const refused = await explain('remote');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/requests per minute/);
    expect(embedded - before).toBe(2);
    // The key's real requests meet the same exhausted limit.
    const sent = await gw.post('/v1/chat/completions', { model: 'local', messages: [{ role: 'user', content: 'hi' }] });
    expect(sent.status).toBe(429);
  });

  it('still explains a strategy that asks no model, refusal included, without taking anything', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await explain('local');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ askedModel: false, limits: { admitted: false } });
    }
  });

  it('lets the admin key explain a remote strategy without a limit of its own', async () => {
    const before = embedded;
    for (let i = 0; i < 4; i++) {
      expect((await explain('remote', { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
    }
    expect(embedded - before).toBe(4);
  });
});
