import { Metadata } from '@grpc/grpc-js';
import type { CompiledBackend } from '../../table/backend.js';
import type { HealthCheckConfig, RouteTable, Timed } from '../../table/route.js';
import type { AttemptOutcome } from '../outcome.js';
import type { Transport, TransportCall } from '../transport.js';
import { grpcAttempt } from './attempt.js';
import { TritonGrpcClients, type GrpcClientOptions } from './clients.js';

/** Triton / KServe v2 over gRPC (`grpc://` backends): ModelInfer and ModelStreamInfer on pooled channels. */
export class GrpcTransport implements Transport {
  readonly #clients: TritonGrpcClients;

  constructor(options: Partial<GrpcClientOptions> = {}) {
    this.#clients = new TritonGrpcClients(options);
  }

  attempt(c: TransportCall): Promise<AttemptOutcome> {
    return grpcAttempt(this.#clients, c.route, c.backend, c.op, c.body, c.call, c.requestId);
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
