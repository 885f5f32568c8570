import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import {
  GRPCInferenceService,
  parameter,
  parameterMap,
  splitBytesTensor,
  type InferTensorContents,
  type ModelInferRequest,
} from '@switchboard/gateway';

/**
 * Simulated NVIDIA Triton servers for tests, demos and the gRPC-vs-HTTP
 * benchmark, answering the same text both ways:
 *
 * - gRPC (`inference.GRPCInferenceService`, Triton's own descriptors):
 *   health, ModelMetadata, ModelConfig, ModelInfer and ModelStreamInfer.
 *   Model `ensemble` looks like a decoupled TensorRT-LLM ensemble
 *   (text_input, max_tokens, stream, temperature, top_p, stop_words ->
 *   text_output, batch dimension first); model `legacy` like an older
 *   non-decoupled INPUT_0 -> OUTPUT_0 model. Outputs travel in
 *   raw_output_contents, as Triton sends them.
 * - HTTP: the generate extension of the `ensemble` model.
 *
 * The answer is `pieces`, one response per piece when streaming. A prompt
 * containing "INVALID" gets INVALID_ARGUMENT (HTTP 400) with Triton's style
 * of message.
 */
export interface MockTritonOptions {
  pieces: string[];
  /** Delay before each piece. */
  pieceDelayMs: number;
  /** Answer every call with this gRPC status (HTTP 503) instead. */
  failWith: grpc.status | undefined;
}

export interface MockTriton {
  url: string;
  port: number;
  options: MockTritonOptions;
  /** Decoded requests as received (inputs by name). */
  requests: { method: string; model: string; inputs: Record<string, unknown>; parameters: Record<string, unknown> }[];
  /** Calls the client cancelled before they were complete. */
  cancelled: number;
  close(): Promise<void>;
}

const DEFAULTS: MockTritonOptions = { pieces: ['Triton', ' says', ' hello'], pieceDelayMs: 0, failWith: undefined };

const ENSEMBLE = {
  name: 'ensemble',
  versions: ['1'],
  platform: 'ensemble',
  inputs: [
    { name: 'text_input', datatype: 'BYTES', shape: [-1, 1] },
    { name: 'max_tokens', datatype: 'INT32', shape: [-1, 1] },
    { name: 'stream', datatype: 'BOOL', shape: [-1, 1] },
    { name: 'temperature', datatype: 'FP32', shape: [-1, 1] },
    { name: 'top_p', datatype: 'FP32', shape: [-1, 1] },
    { name: 'stop_words', datatype: 'BYTES', shape: [-1, -1] },
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
const MODELS = new Map([
  [
    'ensemble',
    { meta: ENSEMBLE, config: { name: 'ensemble', max_batch_size: 64, model_transaction_policy: { decoupled: true } } },
  ],
  ['legacy', { meta: LEGACY, config: { name: 'legacy', max_batch_size: 0, model_transaction_policy: { decoupled: false } } }],
]);

/** A BYTES tensor in raw form: little-endian uint32 length, then the bytes. */
function rawBytes(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

/** Input values by name, from typed contents or raw_input_contents (as tritonclient sends them). */
function decodeInputs(req: ModelInferRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  req.inputs.forEach((input, index) => {
    const raw = req.raw_input_contents?.[index];
    const values = raw ? decodeRaw(input.datatype, raw) : typedValues(input.contents ?? {});
    out[input.name] = { datatype: input.datatype, shape: input.shape, values };
  });
  return out;
}

function typedValues(c: InferTensorContents): unknown[] {
  return (
    c.bytes_contents?.map((b) => b.toString('utf8')) ??
    c.bool_contents ??
    c.int_contents ??
    c.int64_contents ??
    c.uint_contents ??
    c.fp32_contents ??
    c.fp64_contents ??
    []
  );
}

function decodeRaw(datatype: string, raw: Buffer): unknown[] {
  const read = (size: number, get: (offset: number) => unknown) =>
    Array.from({ length: Math.floor(raw.length / size) }, (_, i) => get(i * size));
  switch (datatype) {
    case 'BYTES':
      return splitBytesTensor(raw).map((b) => b.toString('utf8'));
    case 'BOOL':
      return read(1, (o) => raw[o] !== 0);
    case 'INT32':
      return read(4, (o) => raw.readInt32LE(o));
    case 'FP32':
      return read(4, (o) => Math.fround(raw.readFloatLE(o)));
    default:
      return [`(${raw.length} raw bytes)`];
  }
}

function responseFor(model: string, id: string, text: string, final: boolean | undefined) {
  const parameters = final === undefined ? [] : parameterMap({ triton_final_response: { bool_param: final } });
  const output =
    model === 'legacy'
      ? { name: 'OUTPUT_0', datatype: 'BYTES', shape: [1] }
      : { name: 'text_output', datatype: 'BYTES', shape: [1, 1] };
  // Like Triton, outputs travel in raw_output_contents.
  return { model_name: model, model_version: '1', id, parameters, outputs: [output], raw_output_contents: [rawBytes(text)] };
}

const promptOf = (inputs: Record<string, unknown>): string => {
  const first = ((inputs.text_input ?? inputs.INPUT_0) as { values?: unknown[] } | undefined)?.values?.[0];
  return typeof first === 'string' ? first : '';
};

export async function startMockTritonGrpc(
  opts: Partial<MockTritonOptions> & { port?: number; host?: string } = {},
): Promise<MockTriton> {
  const { port = 0, host = '127.0.0.1', ...behaviour } = opts;
  const state = { options: { ...DEFAULTS, ...behaviour }, requests: [] as MockTriton['requests'], cancelled: 0 };
  const server = new grpc.Server();
  const fail = (): grpc.ServiceError | null =>
    state.options.failWith === undefined
      ? null
      : Object.assign(new Error('simulated failure'), {
          code: state.options.failWith,
          details: 'simulated failure',
          metadata: new grpc.Metadata(),
        });
  type Cb = grpc.sendUnaryData<unknown>;
  const model = (name: string, cb: Cb) => {
    const m = MODELS.get(name);
    if (!m) cb({ code: grpc.status.NOT_FOUND, details: `Request for unknown model: '${name}' is not found` }, null);
    return m;
  };
  const check = (req: ModelInferRequest, method: string): grpc.ServiceError | null => {
    const inputs = decodeInputs(req);
    state.requests.push({
      method,
      model: req.model_name,
      inputs,
      parameters: Object.fromEntries((req.parameters ?? []).map((e) => [e.key, e.value])),
    });
    const declared = new Set(MODELS.get(req.model_name)?.meta.inputs.map((i) => i.name));
    const unknown = req.inputs.find((i) => !declared.has(i.name));
    if (unknown)
      return {
        code: grpc.status.INVALID_ARGUMENT,
        details: `unexpected inference input '${unknown.name}' for model '${req.model_name}'`,
      } as grpc.ServiceError;
    if (promptOf(inputs).includes('INVALID'))
      return {
        code: grpc.status.INVALID_ARGUMENT,
        details: `[request id: ${req.id ?? ''}] input 'text_input' is invalid`,
      } as grpc.ServiceError;
    return null;
  };
  server.addService(GRPCInferenceService.definition, {
    ServerLive: (_: unknown, cb: Cb) => cb(fail(), { live: true }),
    ServerReady: (_: unknown, cb: Cb) => cb(fail(), { ready: true }),
    ModelReady: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: Cb) =>
      cb(fail(), { ready: MODELS.has(call.request.name) }),
    ModelMetadata: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: Cb) => {
      const m = model(call.request.name, cb);
      if (m) cb(fail(), m.meta);
    },
    ModelConfig: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: Cb) => {
      const m = model(call.request.name, cb);
      if (m) cb(fail(), { config: m.config });
    },
    ModelInfer: (call: grpc.ServerUnaryCall<ModelInferRequest, unknown>, cb: Cb) => {
      void (async () => {
        if (fail()) return cb(fail(), null);
        const m = model(call.request.model_name, cb);
        if (!m) return;
        if (m.config.model_transaction_policy.decoupled) {
          return cb(
            {
              code: grpc.status.UNAVAILABLE,
              details: `ModelInfer RPC doesn't support models with decoupled transaction policy`,
            },
            null,
          );
        }
        const invalid = check(call.request, 'ModelInfer');
        if (invalid) return cb(invalid, null);
        if (state.options.pieceDelayMs) await sleep(state.options.pieceDelayMs * state.options.pieces.length);
        if (call.cancelled) return void state.cancelled++;
        cb(null, responseFor(m.meta.name, call.request.id ?? '', state.options.pieces.join(''), undefined));
      })();
    },
    ModelStreamInfer: (call: grpc.ServerDuplexStream<ModelInferRequest, unknown>) => {
      let cancelled = false;
      call.on('cancelled', () => {
        cancelled = true;
        state.cancelled++;
      });
      const pending: Promise<void>[] = [];
      call.on('data', (req: ModelInferRequest) => {
        pending.push(
          (async () => {
            const failure = fail();
            if (failure) {
              call.emit('error', failure);
              return;
            }
            const m = MODELS.get(req.model_name);
            const invalid = m
              ? check(req, 'ModelStreamInfer')
              : { details: `Request for unknown model: '${req.model_name}' is not found` };
            if (invalid) return void call.write({ error_message: invalid.details, infer_response: { id: req.id } });
            const id = req.id ?? '';
            const flag = parameter(req.parameters, 'triton_enable_empty_final_response');
            const flagFinal = flag !== undefined && 'bool_param' in flag && flag.bool_param;
            for (const piece of state.options.pieces) {
              if (state.options.pieceDelayMs) await sleep(state.options.pieceDelayMs);
              if (cancelled) return;
              call.write({ infer_response: responseFor(req.model_name, id, piece, flagFinal ? false : undefined) });
            }
            // Triton's empty final response, sent when the client asked for it.
            if (flagFinal && !cancelled)
              call.write({
                infer_response: {
                  model_name: req.model_name,
                  id,
                  parameters: parameterMap({ triton_final_response: { bool_param: true } }),
                },
              });
          })(),
        );
      });
      call.on('end', () => void Promise.all(pending).then(() => !cancelled && call.end()));
    },
  });
  const actual = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return Object.assign(state, {
    url: `grpc://${host}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  });
}

/** The HTTP generate extension of the same simulated `ensemble` model. */
export async function startMockTritonHttp(
  opts: Partial<MockTritonOptions> & { port?: number; host?: string } = {},
): Promise<MockTriton> {
  const { port = 0, host = '127.0.0.1', ...behaviour } = opts;
  const state = { options: { ...DEFAULTS, ...behaviour }, requests: [] as MockTriton['requests'], cancelled: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && req.url === '/v2/health/ready')
          return res.writeHead(state.options.failWith === undefined ? 200 : 503).end();
        if (state.options.failWith !== undefined)
          return res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"simulated failure"}');
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
        const model = /\/v2\/models\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '';
        state.requests.push({
          method: req.url?.endsWith('/generate') ? 'generate' : 'generate_stream',
          model,
          inputs: body,
          parameters: {},
        });
        if (model !== 'ensemble') {
          return res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: `Request for unknown model: '${model}' is not found` }));
        }
        if (req.url?.endsWith('/generate')) {
          if (state.options.pieceDelayMs) await sleep(state.options.pieceDelayMs * state.options.pieces.length);
          return res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ model_name: 'ensemble', model_version: '1', text_output: state.options.pieces.join('') }));
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.on('close', () => {
          if (!res.writableFinished) state.cancelled++;
        });
        for (const p of state.options.pieces) {
          if (state.options.pieceDelayMs) await sleep(state.options.pieceDelayMs);
          if (res.destroyed) return;
          res.write(`data: ${JSON.stringify({ model_name: 'ensemble', model_version: '1', text_output: p })}\n\n`);
        }
        res.end();
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
