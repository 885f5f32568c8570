// Anthropic Messages response -> OpenAI chat completion.

import { GatewayError } from '../../errors.js';
import { isObject } from '../../request/is-object.js';

export interface AnthropicUsage {
  /** Input tokens neither read from nor written to the cache. */
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

interface AnthropicBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

interface AnthropicMessage {
  id?: string;
  model?: string;
  content?: AnthropicBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** Anthropic stop_reason -> OpenAI finish_reason. */
export function finishReason(stop: string | null | undefined): string | null {
  switch (stop) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return stop ?? null;
  }
}

/**
 * Anthropic usage in OpenAI's shape: prompt_tokens counts every input token
 * (Anthropic's input_tokens excludes cached reads and cache writes), cached
 * reads are prompt_tokens_details.cached_tokens, and cache writes — which
 * OpenAI's shape has no field for — prompt_tokens_details.cache_write_tokens.
 */
export function openAIUsage(u: AnthropicUsage | undefined): Record<string, unknown> {
  const read = u?.cache_read_input_tokens ?? 0;
  const written = u?.cache_creation_input_tokens ?? 0;
  const prompt = (u?.input_tokens ?? 0) + read + written;
  const completion = u?.output_tokens ?? 0;
  const usage: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (read || written) usage.prompt_tokens_details = { cached_tokens: read, ...(written ? { cache_write_tokens: written } : {}) };
  return usage;
}

/**
 * The chat.completion object for a Messages API answer. `schemaTool`: the
 * tool the request's JSON schema became (json-output.ts); its call is the
 * answer, as the assistant's content (JSON text), not a tool call, and the
 * turn it ends has stopped as any answer does.
 */
export function toOpenAIChat(
  json: unknown,
  created = Math.floor(Date.now() / 1000),
  schemaTool?: string,
  backendName = 'anthropic',
): Record<string, unknown> {
  const m = json as AnthropicMessage;
  // The backend is untrusted: content that is not a list of blocks is a broken answer (502), not a gateway crash (500).
  const content: unknown = m.content ?? [];
  if (!Array.isArray(content)) {
    throw new GatewayError(
      502,
      'upstream_error',
      `Backend "${backendName}" answered with a content that is not a list of blocks.`,
      {
        code: 'upstream_malformed',
      },
    );
  }
  const blocks = content.filter(isObject) as unknown as AnthropicBlock[];
  const answer = schemaTool ? blocks.find((b) => b.type === 'tool_use' && b.name === schemaTool) : undefined;
  const message: Record<string, unknown> = { role: 'assistant' };
  let finish = finishReason(m.stop_reason);
  if (answer) {
    message.content = JSON.stringify(answer.input ?? {});
    if (finish === 'tool_calls') finish = 'stop';
  } else {
    const text = blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '');
    message.content = text.length ? text.join('') : null;
    const calls = blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({
        id: b.id ?? '',
        type: 'function',
        function: { name: b.name ?? '', arguments: JSON.stringify(b.input ?? {}) },
      }));
    if (calls.length) message.tool_calls = calls;
  }
  return {
    id: m.id ?? '',
    object: 'chat.completion',
    created,
    model: m.model ?? '',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: openAIUsage(m.usage),
  };
}
