import { isObject } from '../../request/is-object.js';
import { usageFromOpenAI, type Usage } from '../../request/usage.js';
import { newId, type MessagesCall } from './call.js';

// chat.completion -> Message.

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Usage in Anthropic's shape: input_tokens are the input tokens neither read
 * from nor written to a prompt cache (the gateway's promptTokens counts every
 * one), cached reads and writes apart; reasoning tokens as thinking tokens.
 */
export function messagesUsage(usage: Usage | undefined): Obj {
  const read = usage?.cachedTokens ?? 0;
  const written = usage?.cacheWriteTokens ?? 0;
  const out: Obj = {
    input_tokens: Math.max(0, (usage?.promptTokens ?? 0) - read - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    output_tokens: usage?.completionTokens ?? 0,
  };
  if (usage?.reasoningTokens) out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return out;
}

/** Chat finish_reason -> Anthropic stop_reason (and the stop sequence, when the backend says which one matched). */
export function stopOf(
  call: MessagesCall,
  finish: unknown,
  matched: unknown,
): { stop_reason: string; stop_sequence: string | null } {
  switch (finish) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
  }
  // vLLM and SGLang name the stop string that matched (`stop_reason`); OpenAI does not, so that reads as the end of the turn.
  if (typeof matched === 'string' && call.request.stop_sequences?.includes(matched)) {
    return { stop_reason: 'stop_sequence', stop_sequence: matched };
  }
  return { stop_reason: 'end_turn', stop_sequence: null };
}

/** A tool call's arguments as a tool_use input, which is always an object (unparsable arguments read as none). */
export function toolInput(args: string): Obj {
  try {
    const input: unknown = JSON.parse(args || '{}');
    return isObject(input) ? input : {};
  } catch {
    return {};
  }
}

/** The Message for a chat completion answering `call` (its first choice: Messages has no `n`). */
export function fromChat(call: MessagesCall, json: unknown): Obj {
  const chat = isObject(json) ? json : {};
  const choice = Array.isArray(chat.choices) && isObject(chat.choices[0]) ? chat.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: Obj[] = [];
  // A model's refusal (OpenAI's `refusal`) is its text, with Anthropic's refusal stop reason.
  const refused = !str(message.content) && Boolean(str(message.refusal));
  const text = str(message.content) || str(message.refusal);
  if (text) content.push({ type: 'text', text });
  for (const tc of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const fn = isObject(tc) && isObject(tc.function) ? tc.function : {};
    content.push({
      type: 'tool_use',
      id: str((tc as Obj).id) || newId('toolu'),
      name: str(fn.name),
      input: toolInput(str(fn.arguments)),
    });
  }
  return {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    model: str(chat.model) || call.request.model,
    content,
    ...stopOf(call, refused ? 'content_filter' : choice.finish_reason, choice.stop_reason),
    usage: messagesUsage(usageFromOpenAI(chat)),
  };
}
