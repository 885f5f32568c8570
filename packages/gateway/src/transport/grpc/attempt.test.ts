import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../../fixtures/in-process.fixture.js';
import { Transports } from '../transport.js';
import { GrpcTransport, type GrpcTransportOptions } from './grpc-transport.js';
import { GRPCInferenceService, parameterMap, type ModelInferRequest } from './protocol.js';

// The gRPC transport against a real grpc-js server speaking the KServe v2 /
// Triton protocol, whose answers each test scripts: what a hostile or broken
// Triton can send must end as a clear error for the client, never as an
// exception that takes the gateway process down.

type StreamCall = grpc.ServerDuplexStream<ModelInferRequest, unknown>;

interface Script {
  /** ModelInfer (the non-decoupled `legacy` model): a response, or a gRPC error. */
  unary?: (req: ModelInferRequest) => object | Partial<grpc.ServiceError>;
  /** ModelStreamInfer (the decoupled `ensemble` model): writes whatever it wants to the call. */
  stream?: (req: ModelInferRequest, call: StreamCall) => void;
}

const ENSEMBLE = {
  name: 'ensemble',
  versions: ['1'],
  platform: 'ensemble',
  inputs: [
    { name: 'text_input', datatype: 'BYTES', shape: [-1, 1] },
    { name: 'max_tokens', datatype: 'INT32', shape: [-1, 1] },
    { name: 'stream', datatype: 'BOOL', shape: [-1, 1] },
  ],
  outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [-1, -1] }],
};
const LEGACY = {
  name: 'legacy',
  versions: ['1'],
  platform: 'python',
  inputs: [{ name: 'INPUT_0', datatype: 'BYTES', shape: [1] }],
  outputs: [{ name: 'OUTPUT_0', datatype: 'BYTES', shape: [1] }],
};
const MODELS: Record<string, typeof ENSEMBLE> = { ensemble: ENSEMBLE, legacy: LEGACY };

/** A BYTES tensor in raw form: little-endian uint32 length, then the bytes. */
function rawBytes(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

/** The audit's malformed tensor: a length prefix of 65535 bytes with nothing after it. */
const TRUNCATED = Buffer.from([0xff, 0xff, 0x00, 0x00]);

/** An inference response whose output tensor is `raw` (as Triton sends it). */
function response(model: string, raw: Buffer, final?: boolean) {
  const output = model === 'legacy' ? LEGACY.outputs[0] : ENSEMBLE.outputs[0];
  return {
    model_name: model,
    model_version: '1',
    id: 'x',
    outputs: [output],
    raw_output_contents: [raw],
    ...(final === undefined ? {} : { parameters: parameterMap({ triton_final_response: { bool_param: final } }) }),
  };
}

/** Triton's empty final response of a decoupled stream. */
const finalResponse = (model: string) => ({
  infer_response: { model_name: model, id: 'x', parameters: parameterMap({ triton_final_response: { bool_param: true } }) },
});

/** Writes each piece as one response and never ends: a decoupled model that goes on and on. */
const endless =
  (...texts: string[]) =>
  (req: ModelInferRequest, call: StreamCall) => {
    for (const t of texts) call.write({ infer_response: response(req.model_name, rawBytes(t), false) });
  };

/** Writes each piece as one response, then the final flag. */
const pieces =
  (...texts: (string | Buffer)[]) =>
  (req: ModelInferRequest, call: StreamCall) => {
    for (const t of texts) call.write({ infer_response: response(req.model_name, Buffer.isBuffer(t) ? t : rawBytes(t), false) });
    call.write(finalResponse(req.model_name));
    call.end();
  };

interface KServe {
  url: string;
  script: Script;
  /** ModelStreamInfer calls the gateway cancelled. */
  cancelled: number;
  close(): Promise<void>;
}

async function startKServe(): Promise<KServe> {
  const state: Pick<KServe, 'script' | 'cancelled'> = { script: {}, cancelled: 0 };
  const server = new grpc.Server();
  type Cb = grpc.sendUnaryData<unknown>;
  type Named = grpc.ServerUnaryCall<{ name: string }, unknown>;
  const known = (name: string, cb: Cb) => {
    const m = MODELS[name];
    if (!m) cb({ code: grpc.status.NOT_FOUND, details: `unknown model ${name}` }, null);
    return m;
  };
  server.addService(GRPCInferenceService.definition, {
    ServerLive: (_: unknown, cb: Cb) => cb(null, { live: true }),
    ServerReady: (_: unknown, cb: Cb) => cb(null, { ready: true }),
    ModelReady: (_: unknown, cb: Cb) => cb(null, { ready: true }),
    ModelMetadata: (call: Named, cb: Cb) => {
      const m = known(call.request.name, cb);
      if (m) cb(null, m);
    },
    ModelConfig: (call: Named, cb: Cb) => {
      const m = known(call.request.name, cb);
      const decoupled = call.request.name === 'ensemble';
      if (m) cb(null, { config: { name: m.name, max_batch_size: 0, model_transaction_policy: { decoupled } } });
    },
    ModelInfer: (call: grpc.ServerUnaryCall<ModelInferRequest, unknown>, cb: Cb) => {
      const answer = state.script.unary?.(call.request) ?? response('legacy', rawBytes('fine'));
      if ('code' in answer && typeof answer.code === 'number') return cb(answer as grpc.ServiceError, null);
      cb(null, answer);
    },
    ModelStreamInfer: (call: StreamCall) => {
      call.on('cancelled', () => state.cancelled++);
      call.on('data', (req: ModelInferRequest) => (state.script.stream ?? pieces('fine'))(req, call));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return Object.assign(state, {
    url: `grpc://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  });
}

const triton = (name: string, endpoint: string, model: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'triton' as const,
  endpoint,
  model,
  chatTemplate: 'chatml',
  ...extra,
});

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

type ErrorBody = { error: { message: string; code: string | null; type: string } };

/** The SSE events of a stream's body, parsed. */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, '').trim())
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d) as unknown);
}

/** A logger whose lines are kept, parsed. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('the gRPC transport against a KServe v2 server', () => {
  let evil: KServe;
  let spare: KServe;
  const transports: GrpcTransport[] = [];
  beforeAll(async () => {
    [evil, spare] = await Promise.all([startKServe(), startKServe()]);
  });
  afterEach(async () => {
    evil.script = {};
    spare.script = {};
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    await Promise.all([evil.close(), spare.close()]);
  });

  /** The app with its gRPC backends reached by a real GrpcTransport. */
  function gateway(routes: Parameters<typeof inProcess>[0], options: Partial<GrpcTransportOptions> = {}) {
    const grpcTransport = new GrpcTransport({ log: pino({ level: 'silent' }), ...options });
    transports.push(grpcTransport);
    return inProcess(routes, {
      deps: () => ({ transports: new Transports({ http: grpcTransport, grpc: grpcTransport }) }),
    });
  }

  describe('a BYTES tensor whose length prefix runs past its buffer', () => {
    it('is a 502 upstream_malformed from ModelInfer, not a crash', async () => {
      evil.script.unary = () => response('legacy', TRUNCATED);
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'legacy')] } });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('upstream_malformed');
      expect(body.error.message).toMatch(/^Backend "evil" /);
    });

    it('is failed over like other malformed answers', async () => {
      evil.script.unary = () => response('legacy', TRUNCATED);
      spare.script.unary = () => response('legacy', rawBytes('from the spare'));
      const gw = await gateway({
        main: { backends: [triton('evil', evil.url, 'legacy'), triton('spare', spare.url, 'legacy', { priority: 1 })] },
      });
      const res = await gw.post('/v1/chat/completions', chat('main'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchboard-backend')).toBe('spare');
      expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
        'from the spare',
      );
      const metrics = await gw.deps.metrics.registry.metrics();
      expect(metrics).toMatch(/switchboard_retries_total\{route="default\/main",backend="evil",reason="5xx"\} 1/);
    });

    it('is a 502 upstream_malformed from a decoupled model asked for one answer', async () => {
      evil.script.stream = pieces('fine so far', TRUNCATED);
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.code).toBe('upstream_malformed');
    });

    it('is a 502 upstream_malformed when it is the first piece of a stream', async () => {
      evil.script.stream = pieces(TRUNCATED);
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } });
      const res = await gw.post('/v1/chat/completions', chat('only', { stream: true }));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.code).toBe('upstream_malformed');
    });

    it('ends a stream that already started with an upstream_malformed error event', async () => {
      evil.script.stream = pieces('Hello', TRUNCATED, 'never relayed');
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } });
      const res = await gw.post('/v1/chat/completions', chat('only', { stream: true }));
      expect(res.status).toBe(200);
      const got = await events(res);
      expect(got).toHaveLength(2);
      expect(got[0]).toMatchObject({ choices: [{ delta: { content: 'Hello' } }] });
      expect(got[1]).toMatchObject({ error: { code: 'upstream_malformed' } });
    });
  });

  describe('answers of a misbehaving decoupled model', () => {
    it('an error_message before the first piece is a 502 (the cancelled call that follows is not thrown)', async () => {
      evil.script.stream = (_req, call) => call.write({ error_message: 'model crashed' });
      spare.script.stream = pieces('from', ' the spare');
      const gw = await gateway({
        only: { backends: [triton('evil', evil.url, 'ensemble')] },
        main: { backends: [triton('evil', evil.url, 'ensemble'), triton('spare', spare.url, 'ensemble', { priority: 1 })] },
      });
      for (const stream of [false, true]) {
        const res = await gw.post('/v1/chat/completions', chat('only', { stream }));
        expect(res.status).toBe(502);
        expect(((await res.json()) as ErrorBody).error.message).toBe('Backend "evil": model crashed');
      }
      const res = await gw.post('/v1/chat/completions', chat('main'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchboard-backend')).toBe('spare');
      // The call was cancelled: the server saw it, and the gateway is still answering.
      await expect.poll(() => evil.cancelled).toBeGreaterThanOrEqual(3);
      expect((await gw.post('/v1/chat/completions', chat('main'))).status).toBe(200);
    });

    it('responses after the final one are ignored', async () => {
      evil.script.stream = (req, call) => {
        call.write({ infer_response: response(req.model_name, rawBytes('done'), false) });
        call.write(finalResponse(req.model_name));
        call.write({ infer_response: response(req.model_name, rawBytes(' and more'), false) });
        call.write({ infer_response: response(req.model_name, TRUNCATED, false) });
        call.end();
      };
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } });
      const streamed = await gw.post('/v1/chat/completions', chat('only', { stream: true }));
      expect(streamed.status).toBe(200);
      const got = await events(streamed);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ choices: [{ delta: { content: 'done' } }] });
      const whole = await gw.post('/v1/chat/completions', chat('only'));
      expect(((await whole.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('done');
    });
  });

  describe('an answer over maxResponseBytes', () => {
    const LIMIT = 100;

    it('from ModelInfer is a 502 upstream_too_large', async () => {
      evil.script.unary = () => response('legacy', rawBytes('y'.repeat(LIMIT + 1)));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'legacy')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        error: { code: 'upstream_too_large', message: 'Backend "evil" sent an answer larger than the gateway\'s limit.' },
      });
    });

    it('in one message far over it is refused by the channel, and still a 502 upstream_too_large (not a 429)', async () => {
      evil.script.unary = () => response('legacy', rawBytes('y'.repeat(256 * 1024)));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'legacy')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.code).toBe('upstream_too_large');
    });

    it('an answer exactly at the limit is answered', async () => {
      evil.script.unary = () => response('legacy', rawBytes('y'.repeat(LIMIT)));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'legacy')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(200);
    });

    it('collected from a decoupled model is a 502 upstream_too_large, and the call is cancelled', async () => {
      const before = evil.cancelled;
      evil.script.stream = endless(...Array<string>(10).fill('z'.repeat(30)));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.code).toBe('upstream_too_large');
      await expect.poll(() => evil.cancelled).toBe(before + 1);
    });

    it('relayed as a stream ends the stream with an upstream_too_large error event, and cancels the call', async () => {
      const before = evil.cancelled;
      evil.script.stream = endless(...Array<string>(5).fill('a'.repeat(40)));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only', { stream: true }));
      expect(res.status).toBe(200);
      const got = await events(res);
      // 40 + 40 bytes were relayed; the third piece would make 120.
      expect(got).toHaveLength(3);
      expect(got.slice(0, 2)).toMatchObject([
        { choices: [{ delta: { content: 'a'.repeat(40) } }] },
        { choices: [{ delta: { content: 'a'.repeat(40) } }] },
      ]);
      expect(got[2]).toMatchObject({ error: { code: 'upstream_too_large' } });
      await expect.poll(() => evil.cancelled).toBe(before + 1);
    });

    it('a first piece over the limit is a 502 before the stream starts', async () => {
      evil.script.stream = endless('b'.repeat(LIMIT + 1));
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } }, { maxResponseBytes: LIMIT });
      const res = await gw.post('/v1/chat/completions', chat('only', { stream: true }));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.code).toBe('upstream_too_large');
    });
  });

  describe('what a failed call tells the client', () => {
    it("names the status and the connection error of an unreachable server, and logs grpc-js's details (its address)", async () => {
      const { log, lines } = captureLog();
      const gw = await gateway({ only: { backends: [triton('down', 'grpc://127.0.0.1:1', 'legacy')] } }, { log });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: {
          message: 'Backend "down" is unavailable (gRPC UNAVAILABLE, ECONNREFUSED).',
          type: 'upstream_error',
          code: 'upstream_unavailable',
          param: null,
        },
      });
      expect(text).not.toContain('127.0.0.1');
      const warned = lines.find((l) => l.grpcStatus === 'UNAVAILABLE');
      expect(warned).toMatchObject({ level: 40, backend: 'down' });
      expect(warned?.details).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
    });

    it("passes a server's INVALID_ARGUMENT details as a 400, cut to 500 characters", async () => {
      evil.script.unary = () => ({ code: grpc.status.INVALID_ARGUMENT, details: `bad input ${'x'.repeat(2000)}` });
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'legacy')] } });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('upstream_rejected');
      expect(body.error.message).toBe(`bad input ${'x'.repeat(490)}`);
    });

    it("cuts other statuses' details to 500 characters, without the credentials sent to the backend", async () => {
      const key = 'triton-secret-0123456789';
      evil.script.unary = () => ({ code: grpc.status.INTERNAL, details: `token ${key} refused; ${'y'.repeat(2000)}` });
      const gw = await gateway({
        only: { backends: [triton('evil', evil.url, 'legacy', { headers: { 'x-triton-token': key } })] },
      });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      const { message } = ((await res.json()) as ErrorBody).error;
      expect(message).toMatch(/^Backend "evil" answered gRPC INTERNAL: token \[redacted\] refused; y+$/);
      expect(message).not.toContain(key);
      expect(message.length).toBeLessThanOrEqual('Backend "evil" answered gRPC INTERNAL: '.length + 500);
    });

    it("cuts a decoupled model's error_message to 500 characters", async () => {
      evil.script.stream = (_req, call) => call.write({ error_message: 'x'.repeat(5000) });
      const gw = await gateway({ only: { backends: [triton('evil', evil.url, 'ensemble')] } });
      const res = await gw.post('/v1/chat/completions', chat('only'));
      expect(res.status).toBe(502);
      expect(((await res.json()) as ErrorBody).error.message).toBe(`Backend "evil": ${'x'.repeat(500)}`);
    });
  });

  it('a decoupled model that stops between the pieces of a whole answer is a 504 idle timeout', async () => {
    // One piece, then nothing: the idle timer is the only way this call ends.
    evil.script.stream = endless('half an answer');
    const gw = await gateway({
      only: {
        backends: [triton('evil', evil.url, 'ensemble')],
        resilience: { timeouts: { idle: '50ms' }, maxAttempts: 1 },
      },
    });
    const res = await gw.post('/v1/chat/completions', chat('only'));
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({
      error: { code: 'upstream_timeout', message: 'Backend "evil" timed out: no data between chunks (idle) within 50 ms.' },
    });
  });
});
