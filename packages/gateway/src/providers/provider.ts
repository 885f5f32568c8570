import type { CompiledBackend } from '../config/route-table.js';
import type { Operation, ProxiedBody } from '../request/operations.js';

/** Token counts as OpenAI reports them. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** An HTTP request to a backend, ready for undici. */
export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A backend protocol as data plus transforms (DESIGN.md example 4): how a
 * client's OpenAI-shaped request becomes the backend's request, and where
 * usage sits in its answers. Translating providers (Anthropic, Triton) add
 * response transforms; OpenAI-compatible ones pass bodies through.
 */
export interface Provider {
  buildRequest(op: Operation, backend: CompiledBackend, body: ProxiedBody, requestId: string): UpstreamRequest;
  /** Usage in a non-streaming response body, if reported. */
  usageOf(response: unknown): Usage | undefined;
}
