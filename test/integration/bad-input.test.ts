import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, routeYaml, startHarness, type Harness } from '../helpers/harness.js';

interface Case {
  name: string;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  contentType?: string | null;
  body?: string | Buffer | undefined;
  status: number;
  code?: string;
  param?: string;
}

const msg = (content: unknown, role: unknown = 'user') => ({ role, content });
const chat = (over: Record<string, unknown>) => JSON.stringify({ model: 'm', messages: [msg('hi')], ...over });
const deep = (n: number) => `{"model":"m","messages":[{"role":"user","content":"x"}],"extra":${'['.repeat(n)}${']'.repeat(n)}}`;

// Each malformed request, the status it must get and (where OpenAI defines one) the error code.
const CASES: Case[] = [
  { name: 'broken JSON', body: '{"model": "m", ', status: 400, code: 'invalid_json' },
  { name: 'trailing garbage', body: '{"model":"m"} xyz', status: 400, code: 'invalid_json' },
  { name: 'empty body', body: '', status: 400, code: 'invalid_json' },
  { name: 'JSON array body', body: '[1,2,3]', status: 400, code: 'invalid_json' },
  { name: 'JSON string body', body: '"hello"', status: 400, code: 'invalid_json' },
  { name: 'JSON null body', body: 'null', status: 400, code: 'invalid_json' },
  {
    name: 'invalid UTF-8',
    body: Buffer.from([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    name: 'lone UTF-8 continuation byte in a string',
    body: Buffer.concat([
      Buffer.from('{"model":"m","messages":[{"role":"user","content":"'),
      Buffer.from([0x80]),
      Buffer.from('"}]}'),
    ]),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    name: 'missing model',
    body: JSON.stringify({ messages: [msg('hi')] }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'model',
  },
  {
    name: 'missing messages',
    body: JSON.stringify({ model: 'm' }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages',
  },
  { name: 'empty messages', body: chat({ messages: [] }), status: 400, code: 'empty_array', param: 'messages' },
  { name: 'model is a number', body: chat({ model: 42 }), status: 400, code: 'invalid_type', param: 'model' },
  { name: 'model is empty', body: chat({ model: '' }), status: 400, code: 'empty_string', param: 'model' },
  {
    name: 'model is huge',
    body: chat({ model: 'x'.repeat(100_000) }),
    status: 400,
    code: 'string_above_max_length',
    param: 'model',
  },
  {
    name: 'messages is an object',
    body: chat({ messages: { role: 'user' } }),
    status: 400,
    code: 'invalid_type',
    param: 'messages',
  },
  { name: 'message is a string', body: chat({ messages: ['hi'] }), status: 400, code: 'invalid_type', param: 'messages[0]' },
  {
    name: 'message without role',
    body: chat({ messages: [{ content: 'hi' }] }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].role',
  },
  {
    name: 'unknown role',
    body: chat({ messages: [msg('hi', 'wizard')] }),
    status: 400,
    code: 'invalid_value',
    param: 'messages[0].role',
  },
  {
    name: 'content is a number',
    body: chat({ messages: [msg(7)] }),
    status: 400,
    code: 'invalid_type',
    param: 'messages[0].content',
  },
  {
    name: 'content part without type',
    body: chat({ messages: [msg([{ text: 'x' }])] }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].content[0].type',
  },
  { name: 'stream is a string', body: chat({ stream: 'yes' }), status: 400, code: 'invalid_type', param: 'stream' },
  { name: 'temperature out of range', body: chat({ temperature: 7 }), status: 400, code: 'invalid_value', param: 'temperature' },
  { name: 'max_tokens negative', body: chat({ max_tokens: -1 }), status: 400, code: 'invalid_value', param: 'max_tokens' },
  { name: 'max_tokens fractional', body: chat({ max_tokens: 1.5 }), status: 400, code: 'invalid_type', param: 'max_tokens' },
  { name: 'n too large', body: chat({ n: 1000 }), status: 400, code: 'invalid_value', param: 'n' },
  {
    name: 'stop list too long',
    body: chat({ stop: ['a', 'b', 'c', 'd', 'e'] }),
    status: 400,
    code: 'array_above_max_length',
    param: 'stop',
  },
  { name: 'tools not an array', body: chat({ tools: 'all' }), status: 400, code: 'invalid_type', param: 'tools' },
  { name: 'deep nesting (100k levels)', body: deep(100_000), status: 400, code: 'invalid_json' },
  {
    name: 'body over the size limit',
    body: chat({ messages: [msg('x'.repeat(2 * 1024 * 1024))] }),
    status: 413,
    code: 'request_too_large',
  },
  { name: 'missing content-type', contentType: null, body: chat({}), status: 415, code: 'unsupported_media_type' },
  {
    name: 'form content-type',
    contentType: 'application/x-www-form-urlencoded',
    body: chat({}),
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'text content-type', contentType: 'text/plain', body: chat({}), status: 415, code: 'unsupported_media_type' },
  { name: 'GET on chat completions', method: 'GET', body: undefined, status: 405, code: 'method_not_allowed' },
  { name: 'PUT on completions', method: 'PUT', path: '/v1/completions', body: chat({}), status: 405, code: 'method_not_allowed' },
  { name: 'DELETE on models', method: 'DELETE', path: '/v1/models', body: undefined, status: 405, code: 'method_not_allowed' },
  { name: 'unknown path', path: '/v1/chat/complete', body: chat({}), status: 404, code: 'unknown_url' },
  {
    name: 'completions prompt is an object',
    path: '/v1/completions',
    body: JSON.stringify({ model: 'm', prompt: { a: 1 } }),
    status: 400,
    code: 'invalid_type',
    param: 'prompt',
  },
  {
    name: 'completions prompt missing',
    path: '/v1/completions',
    body: JSON.stringify({ model: 'm' }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'prompt',
  },
  {
    name: 'embeddings input empty list',
    path: '/v1/embeddings',
    body: JSON.stringify({ model: 'm', input: [] }),
    status: 400,
    code: 'empty_array',
    param: 'input',
  },
  {
    name: 'embeddings bad encoding_format',
    path: '/v1/embeddings',
    body: JSON.stringify({ model: 'm', input: 'x', encoding_format: 'hex' }),
    status: 400,
    code: 'invalid_value',
    param: 'encoding_format',
  },
  { name: 'unknown model', body: chat({ model: 'nope' }), status: 404, code: 'model_not_found', param: 'model' },
  {
    name: 'headers over the limit',
    headers: { 'x-padding': 'x'.repeat(40_000) },
    body: chat({}),
    status: 431,
    code: 'headers_too_large',
  },
];

describe('malformed requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(([a]) => routeYaml('m', [{ name: 'b', url: a ?? '' }]));
  });
  afterAll(() => h.close());

  it('has at least 30 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES)('$name -> $status', async (c) => {
    const headers: Record<string, string> = {};
    if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
    Object.assign(headers, c.headers);
    const res = await request(`${h.url}${c.path ?? '/v1/chat/completions'}`, {
      method: (c.method ?? 'POST') as 'POST',
      headers,
      body: c.body ?? null,
    });
    const text = await res.body.text();
    expect(res.statusCode, text).toBe(c.status);
    const body = JSON.parse(text) as { error: { message: string; type: string; code: string | null; param: string | null } };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.message.length).toBeGreaterThan(0);
    if (c.code) expect(body.error.code).toBe(c.code);
    if (c.param) expect(body.error.param).toBe(c.param);
    if (c.status !== 431) expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('never reached the backend, and still serves good requests afterwards', async () => {
    expect(h.mocks[0]?.received.get('/v1/chat/completions') ?? 0).toBe(0);
    const res = await request(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('m'),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});
