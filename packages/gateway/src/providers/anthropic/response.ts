// Anthropic Messages response -> OpenAI chat completion.

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
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

function openAIUsage(u: AnthropicUsage | undefined): Record<string, number> {
  const prompt = u?.input_tokens ?? 0;
  const completion = u?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The chat.completion object for a Messages API answer. */
export function toOpenAIChat(json: unknown, created = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const m = json as AnthropicMessage;
  const blocks = m.content ?? [];
  const text = blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '');
  const calls = blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({
      id: b.id ?? '',
      type: 'function',
      function: { name: b.name ?? '', arguments: JSON.stringify(b.input ?? {}) },
    }));
  const message: Record<string, unknown> = { role: 'assistant', content: text.length ? text.join('') : null };
  if (calls.length) message.tool_calls = calls;
  return {
    id: m.id ?? '',
    object: 'chat.completion',
    created,
    model: m.model ?? '',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(m.stop_reason) }],
    usage: openAIUsage(m.usage),
  };
}
