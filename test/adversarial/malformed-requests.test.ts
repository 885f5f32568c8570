import { connect } from 'node:net';
import { hashKey } from '@switchboard/gateway';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, chatBody, routeYaml, startHarness, type Harness } from '../helpers/harness.js';
import { malformedCorpus } from './corpus.js';

// The generated corpus (corpus.ts) and broken framing on raw sockets: every
// case gets a 4xx in its API's error shape (OpenAI's; Anthropic's on the
// Messages API), no backend is called, nothing is logged as a gateway
// failure, and the gateway serves normally afterwards.

const KEY = 'sk-corpus-0123456789';
let h: Harness;
let pool: Pool;
const logs = captureLog();

beforeAll(async () => {
  h = await startHarness(([a]) => routeYaml('m', [{ name: 'b', url: a ?? '' }]), [{}], {
    apiKeys: `keys:\n  - { name: k, tenant: t, sha256: ${hashKey(KEY)} }\n`,
    log: logs.log,
  });
  pool = new Pool(h.url, { connections: 8 });
});
afterAll(async () => {
  await pool.close();
  await h.close();
});

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Anthropic's error type for each status a malformed request can get. */
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
};

function expectAnthropicShaped(status: number, type: string | undefined, text: string, name: string): void {
  expect(status, `${name}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(status, `${name}: ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(type ?? '', name).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { type: string; error: { type: string; message: string }; request_id?: string };
  expect(body.type, name).toBe('error');
  expect(Object.keys(body.error).sort(), name).toEqual(['message', 'type']);
  expect(body.error.type, name).toBe(ANTHROPIC_TYPES[status]);
  expect(body.error.message.length, name).toBeGreaterThan(0);
}

function expectShaped(status: number, type: string | undefined, text: string, name: string): void {
  expect(status, `${name}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(status, `${name}: ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(type ?? '', name).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body.error).sort(), name).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.message.length, name).toBeGreaterThan(0);
}

describe('the malformed-request corpus', () => {
  const corpus = malformedCorpus();

  it('has at least 2,000 cases', () => expect(corpus.length).toBeGreaterThanOrEqual(2000));

  it('answers every case with a 4xx in its API’s shape, without calling a backend', async () => {
    const failures: string[] = [];
    for (let i = 0; i < corpus.length; i += 16) {
      await Promise.all(
        corpus.slice(i, i + 16).map(async (c) => {
          const headers: Record<string, string> = { ...c.headers };
          const auth = c.authorization === undefined ? `Bearer ${KEY}` : c.authorization;
          if (auth !== null) headers.authorization = auth;
          if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
          const res = await pool.request({ path: c.path, method: c.method ?? 'POST', headers, body: c.body ?? null });
          const text = await res.body.text();
          try {
            const expectIt = c.shape === 'anthropic' ? expectAnthropicShaped : expectShaped;
            expectIt(res.statusCode, res.headers['content-type'] as string | undefined, text, c.name);
            if (c.status !== undefined) expect(res.statusCode, c.name).toBe(c.status);
          } catch (err) {
            failures.push(`${c.name}: ${res.statusCode} ${text.slice(0, 160)} (${(err as Error).message.split('\n')[0]})`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(h.mocks[0]?.received.size).toBe(0);
  });
});

/** Sends raw bytes on a new connection; resolves with what came back before the server closed or went quiet. */
function raw(bytes: string | Buffer): Promise<string> {
  const { port } = new URL(h.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let out = '';
    const done = () => {
      socket.destroy();
      resolve(out);
    };
    socket.on('data', (d) => {
      out += d.toString('latin1');
      // One response is enough: stop at the end of its body.
      const m = /content-length: (\d+)\r\n/i.exec(out);
      const head = out.indexOf('\r\n\r\n');
      if (m && head >= 0 && out.length >= head + 4 + Number(m[1])) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    setTimeout(done, 1500);
    socket.write(bytes);
  });
}

const FRAMING: [string, string][] = [
  ['no Host header', 'POST /v1/chat/completions HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'],
  ['an empty Host header', 'POST /v1/chat/completions HTTP/1.1\r\nHost:\r\nContent-Length: 2\r\n\r\n{}'],
  ['a Host with a space', 'GET /v1/models HTTP/1.1\r\nHost: a b\r\n\r\n'],
  ['a Host with a path', 'GET /v1/models HTTP/1.1\r\nHost: a/b\r\n\r\n'],
  ['a Host with user info', 'GET /v1/models HTTP/1.1\r\nHost: user@evil\r\n\r\n'],
  ['two Content-Lengths', 'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}'],
  [
    'Content-Length and chunked',
    'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
  ['a bad chunk size', 'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ['a negative Content-Length', 'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'],
  ['a header without a colon', 'GET /v1/models HTTP/1.1\r\nHost: a\r\nBroken header\r\n\r\n'],
  ['a bare LF request line', 'GET /v1/models HTTP/1.1\nHost: a\n\n'],
  ['an unknown HTTP version', 'GET /v1/models HTTP/9.9\r\nHost: a\r\n\r\n'],
  ['a request line without a version', 'GET /v1/models\r\nHost: a\r\n\r\n'],
  ['a control character in a header', 'GET /v1/models HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n'],
  ['an over-long header', `GET /v1/models HTTP/1.1\r\nHost: a\r\nX-Pad: ${'p'.repeat(40_000)}\r\n\r\n`],
  ['an unknown Transfer-Encoding', 'POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n'],
];

describe('broken framing', () => {
  it.each(FRAMING)('%s gets an OpenAI-shaped 4xx', async (_name, request) => {
    const answer = await raw(request);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    expect(status, answer.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(answer).toMatch(/content-type: application\/json/i);
    const parsed = JSON.parse(body) as ErrorBody;
    expect(parsed.error.message.length).toBeGreaterThan(0);
  });

  it('serves normally after all of it, and logged no gateway failure', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: chatBody('m'),
    });
    expect(res.status).toBe(200);
    const messages = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(messages.status).toBe(200);
    expect(((await messages.json()) as { type: string }).type).toBe('message');
    expect(logs.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
