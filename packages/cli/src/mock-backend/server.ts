import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_MOCK_OPTIONS, type MockBackendOptions } from './options.js';
import * as r from './responses.js';

export interface MockBackend {
  url: string;
  port: number;
  /** Change behaviour while running (tests flip errors on and off). */
  options: MockBackendOptions;
  /** Requests received so far, by path. */
  received: Map<string, number>;
  /** The last JSON body received. */
  lastBody: unknown;
  lastHeaders: IncomingMessage['headers'] | undefined;
  /** Responses whose connection closed before they were complete (client or gateway gave up). */
  closedEarly: number;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible simulated server for demos, tests and benchmarks:
 * /v1/chat/completions, /v1/completions (streaming or not), /v1/embeddings,
 * /v1/models. Plain node:http so that, as the baseline of the benchmarks,
 * it costs as little as possible.
 */
export async function startMockBackend(
  opts: Partial<MockBackendOptions> & { port?: number; host?: string } = {},
): Promise<MockBackend> {
  const { port = 0, host = '127.0.0.1', ...behaviour } = opts;
  const state: Omit<MockBackend, 'url' | 'port' | 'close'> = {
    options: { ...DEFAULT_MOCK_OPTIONS, ...behaviour },
    received: new Map(),
    lastBody: undefined,
    lastHeaders: undefined,
    closedEarly: 0,
  };
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    state.received.set(path, (state.received.get(path) ?? 0) + 1);
    state.lastHeaders = req.headers;
    res.on('close', () => {
      if (!res.writableFinished) state.closedEarly++;
    });
    if (req.method === 'GET') return handleGet(path, res, state.options);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', code: null, param: null } });
      }
      state.lastBody = body;
      void handlePost(path, body, res, state.options, `mock-${++counter}`).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://${host}:${actual}/v1`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Fault injection: headers plus the first `n` bytes of the body, then a dropped connection. */
function sendCut(res: ServerResponse, contentType: string, body: string, n: number): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.write(Buffer.from(body).subarray(0, n), () => res.socket?.destroy());
}

function handleGet(path: string, res: ServerResponse, o: MockBackendOptions): void {
  if (path === '/v1/models') {
    return sendJson(res, 200, {
      object: 'list',
      data: [{ id: o.model ?? 'mock', object: 'model', created: 0, owned_by: 'mock' }],
    });
  }
  if (path === '/health' || path === '/v1/health') return sendJson(res, 200, { status: 'ok' });
  sendJson(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error', code: null, param: null } });
}

async function handlePost(path: string, body: Record<string, unknown>, res: ServerResponse, o: MockBackendOptions, id: string) {
  if (o.latencyMs > 0) await sleep(o.latencyMs);
  if (o.errorRate > 0 && Math.random() < o.errorRate) {
    const headers: Record<string, string> = o.retryAfter ? { 'retry-after': o.retryAfter } : {};
    const error = { message: `injected error ${o.errorStatus}`, type: 'server_error', code: null, param: null };
    return sendJson(res, o.errorStatus, { error }, headers);
  }
  const model = o.model ?? String(body.model);
  const promptTokens = r.approxTokens(body.messages ?? body.prompt ?? body.input);
  if (path === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return sendJson(res, 200, {
      object: 'list',
      model,
      data: inputs.map((input, index) => {
        const vector =
          o.embeddingKind === 'words'
            ? r.wordsVector(String(input), o.embeddingDimensions)
            : r.embeddingVector(JSON.stringify(input), o.embeddingDimensions);
        // The official SDKs ask for base64 (little-endian float32) by default.
        const embedding =
          body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
        return { object: 'embedding', index, embedding };
      }),
      ...(o.usage ? { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } : {}),
    });
  }
  const chat = path === '/v1/chat/completions';
  if (!chat && path !== '/v1/completions') {
    return sendJson(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error', code: null, param: null } });
  }
  // Like a real server: at most max_tokens pieces per choice, and n choices.
  const cap = Number(body.max_completion_tokens ?? body.max_tokens) || Infinity;
  const n = Math.max(1, Math.floor(Number(body.n) || 1));
  const reply = o.reply ? o.reply(body) : o.replyText;
  const pieces = reply !== undefined ? [reply] : r.completionPieces(Math.min(o.completionTokens, cap));
  const u = o.usage ? r.usage(promptTokens, pieces.length * n) : undefined;
  if (!body.stream) {
    const text = pieces.join('');
    const answer = chat ? r.chatCompletion(id, model, text, u, n) : r.textCompletion(id, model, text, u, n);
    if (chat && body.logprobs === true) answer.choices[0]!.logprobs = r.chatLogprobs(pieces, o.tokenLogprob);
    if (o.cutAfterBytes !== undefined) return sendCut(res, 'application/json', JSON.stringify(answer), o.cutAfterBytes);
    if (o.malformed) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(answer).slice(0, -7));
    }
    return sendJson(res, 200, answer);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  const send = (v: unknown) => {
    const event = o.malformed && sent > 0 ? `data: {"choices": [oops\n\n` : `data: ${JSON.stringify(v)}\n\n`;
    sent += Buffer.byteLength(event);
    res.write(event);
    if (o.cutAfterBytes !== undefined && sent >= o.cutAfterBytes) res.socket?.destroy();
  };
  if (o.ttftMs > 0) await sleep(o.ttftMs);
  for (let c = 0; c < n; c++) if (chat) send(r.chatChunk(id, model, { role: 'assistant', content: '' }, null, undefined, c));
  for (const [i, piece] of pieces.entries()) {
    if (res.destroyed) return;
    if (i > 0 && o.tokensPerSecond > 0) await sleep(1000 / o.tokensPerSecond);
    for (let c = 0; c < n; c++)
      send(
        chat ? r.chatChunk(id, model, { content: piece }, null, undefined, c) : r.textChunk(id, model, piece, null, undefined, c),
      );
  }
  for (let c = 0; c < n; c++)
    send(chat ? r.chatChunk(id, model, {}, 'stop', undefined, c) : r.textChunk(id, model, '', 'stop', undefined, c));
  const wantsUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
  if (u && wantsUsage) send(chat ? r.chatChunk(id, model, {}, null, u) : r.textChunk(id, model, '', null, u));
  res.end('data: [DONE]\n\n');
}
