import type { Context } from 'hono';
import type { ProxiedBody, StreamEgress, Upstream } from '../request/operations.js';
import type { CompiledBackend } from '../table/backend.js';

/** How a door shows a chat-level answer (from a runner, or a translated backend) to its client. */
export interface DoorRendering {
  /** The client's answer for a chat.completion object. */
  answer(json: unknown): unknown;
  /** The client's framing of a chat.completion.chunk stream. */
  egress(): StreamEgress;
}

/**
 * A front door: an API other than chat completions (OpenAI Responses,
 * Anthropic Messages) in front of the same pipeline. Its request becomes a
 * chat completions request — so every strategy, rule, limit and metric sees
 * the same prompt whichever door it came through — and each answer goes
 * back in the door's own shape: passed through from a backend that speaks
 * the door's API, or translated from chat completions for every other one.
 */
export interface Door {
  /** The door's request, checked, as the chat completions request routing sees; may read stored state (conversations). */
  toRouted(body: Record<string, unknown>, c: Context): Promise<ProxiedBody>;
  /**
   * How `routed` reaches `backend`: in the door's own API when the backend
   * speaks it, else as chat completions. `promptTokens` is the gateway's
   * count of the prompt with the backend's tokenizer (the one routing and
   * limits use), for streams that report input tokens before the backend has.
   */
  upstream(backend: CompiledBackend, routed: ProxiedBody, promptTokens?: number): Upstream;
  /** The door's shape for chat-level answers to `routed` (a runner's answer); `promptTokens` as for upstream. */
  render(routed: ProxiedBody, promptTokens?: number): DoorRendering;
  /** Headers the door's own API puts on every answer, besides the gateway's (Anthropic's `request-id`). */
  answerHeaders?(requestId: string): Record<string, string>;
}
