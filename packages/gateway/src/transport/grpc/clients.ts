import * as grpc from '@grpc/grpc-js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RouteTable } from '../../table/route.js';
import { GRPCInferenceService, type ModelConfigResponse, type ModelMetadataResponse } from './protocol.js';
import { describeModel, type ModelIO } from './tensors.js';

export interface GrpcClientOptions {
  /** HTTP/2 channels per backend address; calls are spread over them round-robin. */
  channelsPerTarget: number;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  /** Largest message sent or received. */
  maxMessageBytes: number;
  /** Largest message received, when lower (the transport sets it from the answer size limit). */
  maxReceiveMessageBytes?: number | undefined;
}

const DEFAULTS: GrpcClientOptions = {
  channelsPerTarget: 2,
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  maxMessageBytes: 64 * 1024 * 1024,
};

type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/** The methods of GRPCInferenceService the gateway calls. */
export interface InferenceClient extends grpc.Client {
  ServerReady: Unary<object, { ready?: boolean }>;
  ModelReady: Unary<{ name: string }, { ready?: boolean }>;
  ModelMetadata: Unary<{ name: string }, ModelMetadataResponse>;
  ModelConfig: Unary<{ name: string }, ModelConfigResponse>;
  ModelInfer: Unary<object, unknown>;
  ModelStreamInfer: (metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientDuplexStream<object, unknown>;
}

/**
 * gRPC channels to Triton / KServe v2 servers, and what each model's
 * tensors look like. Channels are kept per address (`grpc://host:port`),
 * with keep-alive pings so idle connections to a server that vanished are
 * noticed; a few channels per address spread load over several HTTP/2
 * connections. Model metadata is read once per (address, model) and kept;
 * a failed read is retried on the next request.
 */
export class TritonGrpcClients {
  readonly #options: GrpcClientOptions;
  readonly #channels = new Map<string, { clients: InferenceClient[]; next: number }>();
  readonly #models = new Map<string, Promise<ModelIO>>();

  constructor(options: Partial<GrpcClientOptions> = {}) {
    this.#options = { ...DEFAULTS, ...options };
  }

  client(backend: CompiledBackend): InferenceClient {
    const target = targetOf(backend.baseUrl);
    let entry = this.#channels.get(target);
    if (!entry) {
      const credentials =
        backend.baseUrl.protocol === 'grpcs:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
      const clients = Array.from(
        { length: this.#options.channelsPerTarget },
        (_, i) =>
          new GRPCInferenceService.Client(target, credentials, {
            'grpc.keepalive_time_ms': this.#options.keepaliveTimeMs,
            'grpc.keepalive_timeout_ms': this.#options.keepaliveTimeoutMs,
            'grpc.keepalive_permit_without_calls': 1,
            'grpc.max_receive_message_length': Math.min(
              this.#options.maxMessageBytes,
              this.#options.maxReceiveMessageBytes ?? Infinity,
            ),
            'grpc.max_send_message_length': this.#options.maxMessageBytes,
            // Without this, channels with equal options share one connection.
            'grpc.use_local_subchannel_pool': 1,
            'switchboard.channel': i,
          }) as InferenceClient,
      );
      entry = { clients, next: 0 };
      this.#channels.set(target, entry);
    }
    entry.next = (entry.next + 1) % entry.clients.length;
    return entry.clients[entry.next] as InferenceClient;
  }

  /** The model's tensors, read with ModelMetadata (+ ModelConfig where the server has it). */
  model(backend: CompiledBackend, metadata: grpc.Metadata, deadline: Date): Promise<ModelIO> {
    const key = `${targetOf(backend.baseUrl)}|${backend.model}`;
    let io = this.#models.get(key);
    if (!io) {
      io = this.#describe(backend, metadata, deadline);
      this.#models.set(key, io);
      io.catch(() => this.#models.delete(key));
    }
    return io;
  }

  /** Server and model readiness (ServerReady, ModelReady), for active health checks. */
  async ready(backend: CompiledBackend, metadata: grpc.Metadata, deadline: Date): Promise<boolean> {
    const client = this.client(backend);
    const server = await unary(client.ServerReady.bind(client), {}, metadata, deadline);
    if (!server.ready) return false;
    const model = await unary(client.ModelReady.bind(client), { name: backend.model }, metadata, deadline);
    return model.ready === true;
  }

  /** Forgets what no route of `table` uses, and closes those channels. */
  retainFor(table: RouteTable): void {
    const used = new Set<string>();
    for (const route of table.routes) for (const b of route.backends) if (isGrpc(b)) used.add(targetOf(b.baseUrl));
    for (const [target, entry] of this.#channels) {
      if (used.has(target)) continue;
      this.#channels.delete(target);
      for (const c of entry.clients) c.close();
    }
    for (const key of this.#models.keys()) if (!used.has(key.slice(0, key.indexOf('|')))) this.#models.delete(key);
  }

  close(): void {
    for (const entry of this.#channels.values()) for (const c of entry.clients) c.close();
    this.#channels.clear();
    this.#models.clear();
  }

  async #describe(backend: CompiledBackend, metadata: grpc.Metadata, deadline: Date): Promise<ModelIO> {
    const client = this.client(backend);
    const [meta, config] = await Promise.all([
      unary(client.ModelMetadata.bind(client), { name: backend.model }, metadata, deadline),
      // KServe servers do not implement ModelConfig; Triton does (and says whether the model is decoupled).
      unary(client.ModelConfig.bind(client), { name: backend.model }, metadata, deadline).catch((err: grpc.ServiceError) => {
        if (err.code === grpc.status.UNIMPLEMENTED) return undefined;
        throw err;
      }),
    ]);
    return describeModel(meta, config);
  }
}

const isGrpc = (b: CompiledBackend) => b.transport === 'grpc';

/** host:port for grpc-js; Triton's gRPC port (8001) when none is given. */
const targetOf = (url: URL) => `${url.hostname}:${url.port || (url.protocol === 'grpcs:' ? '443' : '8001')}`;

/** One unary RPC as a promise. */
export function unary<Req, Res>(method: Unary<Req, Res>, req: Req, metadata: grpc.Metadata, deadline: Date): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(req, metadata, { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}
