import type { CompiledBackend } from '../table/backend.js';
import type { Operation, ProxiedBody } from '../request/operations.js';

export type { Usage } from '../request/usage.js';
import type { Usage } from '../request/usage.js';

/** An HTTP request to a backend, ready for undici. */
export interface UpstreamRequest {
  /** Path and query under the backend's origin. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Turns one backend stream into OpenAI chat.completion.chunk payloads. */
export interface StreamTranslator {
  /** Payloads to send for one upstream SSE event (possibly none). */
  event(event: { event?: string | undefined; data: string }): unknown[];
  /** Usage gathered from the stream, once known. */
  readonly usage: Usage | undefined;
  /** True once the backend has said the answer is complete (a stream that ends before is cut short). */
  readonly complete: boolean;
}

/** What a response transform may need to know about the call. */
export interface CallContext {
  op: Operation;
  body: ProxiedBody;
  backend: CompiledBackend;
}

/**
 * A backend protocol as data plus transforms (DESIGN.md example 4): how a
 * client's OpenAI-shaped request becomes the backend's request, and how its
 * answers become OpenAI-shaped again. OpenAI-family providers pass bodies
 * through; translating ones (Anthropic) convert both ways.
 */
export interface Provider {
  /** False for endpoints the protocol has no equivalent of: routing skips the backend. */
  supports(op: Operation): boolean;
  buildRequest(op: Operation, backend: CompiledBackend, body: ProxiedBody, requestId: string): UpstreamRequest;
  /** The OpenAI-shaped answer for a backend's JSON body; absent = already OpenAI-shaped. */
  toOpenAI?(json: unknown, call: CallContext): unknown;
  /** A translator for one stream; absent = the SSE bytes pass through unchanged. */
  streamTranslator?(call: CallContext): StreamTranslator;
  /** Path of the backend's own health endpoint, under the endpoint URL. */
  healthPath: string;
}
