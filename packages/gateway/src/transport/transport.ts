import type { Operation, ProxiedBody } from '../request/operations.js';
import type { CompiledBackend, TransportKind } from '../table/backend.js';
import type { HealthCheckConfig, RouteTable, Timed } from '../table/route.js';
import type { CallSignal } from '../upstream/call-signal.js';
import type { AttemptOutcome } from './outcome.js';

/** One try of one request at one backend. */
export interface TransportCall {
  /** The route's time limits (or a side call's own). */
  route: Timed;
  backend: CompiledBackend;
  op: Operation;
  body: ProxiedBody;
  call: CallSignal;
  requestId: string;
  stream: boolean;
  /** Extra request headers (HTTP): the gateway's own, such as x-switchboard-depth; never replace the provider's. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * How calls reach a backend (Envoy AI Gateway's translator seam): HTTP
 * (undici) or the KServe v2 gRPC protocol. Each backend's transport is
 * chosen once, when the table is built (`backend.transport`); the proxy,
 * runners and active health checks call it without knowing which.
 */
export interface Transport {
  /** One try, read far enough to know whether failover is still possible. */
  attempt(call: TransportCall): Promise<AttemptOutcome>;
  /** Active health check: the backend answers its readiness probe within the time limit. */
  ready(route: Timed, backend: CompiledBackend, check: HealthCheckConfig): Promise<boolean>;
  /** Drops connections no backend of `table` uses. */
  retainFor(table: RouteTable): void;
  close(): Promise<void>;
}

/** The gateway's transports, one per kind, shared by every table (warm connections survive reloads). */
export class Transports {
  constructor(private readonly byKind: Readonly<Record<TransportKind, Transport>>) {}

  for(backend: CompiledBackend): Transport {
    return this.byKind[backend.transport];
  }

  retainFor(table: RouteTable): void {
    for (const t of Object.values(this.byKind)) t.retainFor(table);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.byKind).map((t) => t.close()));
  }
}
