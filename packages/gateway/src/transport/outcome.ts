import type { Readable } from 'node:stream';
import type { GatewayError } from '../errors.js';
import type { RetryOn } from '../table/backend.js';

/** What one try against one backend came to, whatever the transport. */
export type AttemptOutcome =
  | { kind: 'stream'; body: Readable; chunks: AsyncIterator<Buffer>; first: Buffer; upstreamStart: number; headersAt: number }
  | { kind: 'json'; bytes: Uint8Array<ArrayBuffer>; json: unknown; upstreamStart: number; bodyEnd: number }
  /** Worth another backend (if `reason` is in the route's retryOn). */
  | { kind: 'retry'; reason: RetryOn; error: GatewayError; retryAfterMs?: number | undefined }
  /** Final: the request itself is at fault (backend healthy), or the gateway gives up. */
  | { kind: 'fail'; error: GatewayError; backendHealthy: boolean }
  | { kind: 'client_closed' };
