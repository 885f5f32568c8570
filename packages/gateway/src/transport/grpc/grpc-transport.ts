import { Metadata } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { CompiledBackend } from '../../table/backend.js';
import type { HealthCheckConfig, RouteTable, Timed } from '../../table/route.js';
import { DEFAULT_UPSTREAM_LIMITS } from '../../upstream/limits.js';
import type { AttemptOutcome } from '../outcome.js';
import type { Transport, TransportCall } from '../transport.js';
import { grpcAttempt, type AttemptOptions } from './attempt.js';
import { TritonGrpcClients, type GrpcClientOptions } from './clients.js';

export interface GrpcTransportOptions extends GrpcClientOptions, AttemptOptions {}

/**
 * What a gRPC message may carry beyond an answer's text (model name, id,
 * tensor metadata, parameters): a message within maxResponseBytes of text
 * plus this is read, and its text counted; a larger one grpc-js refuses.
 */
const ENVELOPE_BYTES = 64 * 1024;

/** Without the gateway's logger: one like the CLI's (JSON lines on stdout, LOG_LEVEL or info). */
const defaultLog = () => pino({ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } });

/** Triton / KServe v2 over gRPC (`grpc://` backends): ModelInfer and ModelStreamInfer on pooled channels. */
export class GrpcTransport implements Transport {
  readonly #clients: TritonGrpcClients;
  readonly #attempt: AttemptOptions;

  constructor(options: Partial<GrpcTransportOptions> = {}) {
    const { maxResponseBytes = DEFAULT_UPSTREAM_LIMITS.maxResponseBytes, log = defaultLog(), ...client } = options;
    this.#attempt = { maxResponseBytes, log };
    // No single message larger than an answer may be is read into memory.
    const receive = Math.min(client.maxMessageBytes ?? Infinity, maxResponseBytes + ENVELOPE_BYTES);
    this.#clients = new TritonGrpcClients({ maxReceiveMessageBytes: receive, ...client });
  }

  attempt(c: TransportCall): Promise<AttemptOutcome> {
    return grpcAttempt(this.#clients, this.#attempt, c.route, c.backend, c.op, c.body, c.call, c.requestId, c.headers);
  }

  /** ServerReady and ModelReady within the check's time limit. */
  ready(_route: Timed, backend: CompiledBackend, check: HealthCheckConfig): Promise<boolean> {
    return this.#clients.ready(backend, new Metadata(), new Date(Date.now() + check.timeoutMs)).catch(() => false);
  }

  retainFor(table: RouteTable): void {
    this.#clients.retainFor(table);
  }

  close(): Promise<void> {
    this.#clients.close();
    return Promise.resolve();
  }
}
