import { isObject } from '../../request/is-object.js';
import { badRequest, type GatewayError } from '../../errors.js';
import type { ProxiedBody } from '../../request/operations.js';
import type { Block, MessageParam, MessagesRequest, ToolChoice } from './schema.js';

// Messages API request -> chat completions request (what routing sees, and
// what backends that speak chat completions get).

type Obj = Record<string, unknown>;
type ChatMessage = Obj & { role: string };

const missing = (param: string): GatewayError => badRequest(`${param}: Field required`, 'missing_required_parameter', param);
const wrongType = (param: string, expected: string): GatewayError =>
  badRequest(`${param}: Input should be ${expected}`, 'invalid_type', param);

/** Blocks the gateway translates to chat completions; any other (document, server tool results, ...) goes to anthropic backends only. */
const TRANSLATED_BLOCKS = new Set(['text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
/** Blocks a tool_result's content may hold that chat completions can carry. */
const TRANSLATED_RESULT_BLOCKS = new Set(['text', 'image']);
const TRANSLATED_SOURCES = new Set(['base64', 'url']);

/** Checks the blocks the schema leaves open, with errors that name the place (Anthropic's `messages.0.content.1.text` style). */
export function checkRequest(request: MessagesRequest): void {
  request.messages.forEach((m, i) => {
    if (typeof m.content === 'string') return;
    m.content.forEach((b, j) => checkBlock(b, m.role, `messages.${i}.content.${j}`));
  });
}

function checkBlock(block: Block, role: MessageParam['role'], at: string): void {
  const str = (field: string, nonEmpty = false) => {
    const value = block[field];
    if (value === undefined) throw missing(`${at}.${field}`);
    if (typeof value !== 'string') throw wrongType(`${at}.${field}`, 'a valid string');
    if (nonEmpty && !value)
      throw badRequest(`${at}.${field}: String should have at least 1 character`, 'empty_string', `${at}.${field}`);
  };
  const only = (allowed: MessageParam['role']) => {
    if (role !== allowed)
      throw badRequest(`${at}: '${block.type}' blocks are only allowed in ${allowed} messages`, 'invalid_value', `${at}.type`);
  };
  if (role === 'system' && block.type !== 'text') {
    throw badRequest(`${at}: system messages take text blocks only`, 'invalid_value', `${at}.type`);
  }
  switch (block.type) {
    case 'text':
      return str('text');
    case 'image':
      return checkSource(block.source, `${at}.source`);
    case 'tool_use':
      only('assistant');
      str('id', true);
      str('name', true);
      if (!isObject(block.input)) throw wrongType(`${at}.input`, 'a valid dictionary');
      return;
    case 'tool_result':
      only('user');
      str('tool_use_id', true);
      if (block.is_error !== undefined && typeof block.is_error !== 'boolean')
        throw wrongType(`${at}.is_error`, 'a valid boolean');
      return checkResultContent(block.content, `${at}.content`);
    case 'thinking':
      only('assistant');
      return str('thinking');
    case 'redacted_thinking':
      only('assistant');
      return str('data');
  }
}

function checkSource(source: unknown, at: string): void {
  if (!isObject(source)) throw wrongType(at, 'a valid dictionary');
  if (typeof source.type !== 'string') throw missing(`${at}.type`);
  const fields = source.type === 'base64' ? ['media_type', 'data'] : source.type === 'url' ? ['url'] : [];
  for (const field of fields) {
    if (typeof source[field] !== 'string' || !source[field]) throw missing(`${at}.${field}`);
  }
  if (source.type === 'base64' && !/^image\/[a-z0-9.+-]+$/i.test(source.media_type as string)) {
    throw badRequest(`${at}.media_type: Input should be an image media type`, 'invalid_value', `${at}.media_type`);
  }
}

function checkResultContent(content: unknown, at: string): void {
  if (content === undefined || typeof content === 'string') return;
  if (!Array.isArray(content)) throw wrongType(at, 'a valid string or list of blocks');
  content.forEach((b: unknown, k) => {
    if (!isObject(b) || typeof b.type !== 'string') throw missing(`${at}.${k}.type`);
    if (b.type === 'text' && typeof b.text !== 'string') throw wrongType(`${at}.${k}.text`, 'a valid string');
    if (b.type === 'image') checkSource(b.source, `${at}.${k}.source`);
  });
}

/** Where a request uses what only anthropic backends take, for a backend that speaks chat completions; undefined when nothing. */
export function untranslatable(request: MessagesRequest): { what: string; param: string } | undefined {
  if (request.max_tokens === 0) return { what: 'max_tokens 0 (prompt cache warming)', param: 'max_tokens' };
  for (const [i, tool] of (request.tools ?? []).entries()) {
    if (tool.type != null && tool.type !== 'custom') return { what: `the '${tool.type}' tool`, param: `tools.${i}` };
  }
  for (const [i, m] of request.messages.entries()) {
    if (typeof m.content === 'string') continue;
    for (const [j, b] of m.content.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (!TRANSLATED_BLOCKS.has(b.type)) return { what: `a '${b.type}' block`, param: at };
      if (b.type === 'image' && !TRANSLATED_SOURCES.has((b.source as Obj).type as string)) {
        return { what: `an image with a '${String((b.source as Obj).type)}' source`, param: `${at}.source` };
      }
      if (b.type !== 'tool_result' || !Array.isArray(b.content)) continue;
      for (const [k, r] of (b.content as Block[]).entries()) {
        if (!TRANSLATED_RESULT_BLOCKS.has(r.type))
          return { what: `a '${r.type}' block in a tool result`, param: `${at}.content.${k}` };
        if (r.type === 'image' && !TRANSLATED_SOURCES.has((r.source as Obj).type as string)) {
          return { what: `an image with a '${String((r.source as Obj).type)}' source`, param: `${at}.content.${k}.source` };
        }
      }
    }
  }
  return undefined;
}

const textOf = (blocks: readonly Block[]): string[] =>
  blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);

function imagePart(source: Obj): Obj {
  const url = source.type === 'base64' ? `data:${String(source.media_type)};base64,${String(source.data)}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

/** A block of a user turn as a chat content part; undefined for what chat completions cannot carry. */
function userPart(block: Block): Obj | undefined {
  if (block.type === 'text') return { type: 'text', text: block.text };
  if (block.type === 'image' && TRANSLATED_SOURCES.has((block.source as Obj).type as string)) {
    return imagePart(block.source as Obj);
  }
  return undefined;
}

/**
 * A tool result as a chat tool message. Chat tool messages carry text only:
 * the result's images go into the user turn that follows. Chat has no error
 * flag, so a failed tool's text says so.
 */
function toolResult(block: Block): { message: ChatMessage; images: Obj[] } {
  const content = block.content;
  const blocks = Array.isArray(content) ? (content as Block[]) : [];
  const text = typeof content === 'string' ? content : textOf(blocks).join('\n');
  const images = blocks.flatMap((b) => (b.type === 'image' ? [userPart(b)].filter(isObject) : []));
  return {
    message: { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text },
    images,
  };
}

/** A user turn: its tool results first (they answer the assistant turn before it), then the rest as one user message. */
function userMessages(content: MessageParam['content']): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const parts: Obj[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      const { message, images } = toolResult(block);
      out.push(message);
      parts.push(...images);
    } else {
      const part = userPart(block);
      if (part) parts.push(part);
    }
  }
  if (parts.length || !out.length) out.push({ role: 'user', content: parts });
  return out;
}

/** An assistant turn: its text, and its tool uses as tool calls. Thinking blocks are an Anthropic model's own state: other backends cannot read them. */
function assistantMessage(content: MessageParam['content']): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const text = textOf(content).join('');
  const calls = content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }));
  const message: ChatMessage = { role: 'assistant', content: text || (calls.length ? null : '') };
  if (calls.length) message.tool_calls = calls;
  return message;
}

const systemText = (system: MessagesRequest['system']): string =>
  typeof system === 'string' ? system : textOf(system ?? []).join('\n\n');

/** The request's system prompt and turns as chat messages. */
export function chatMessages(request: MessagesRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const system = systemText(request.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const m of request.messages) {
    if (m.role === 'user') messages.push(...userMessages(m.content));
    else if (m.role === 'assistant') messages.push(assistantMessage(m.content));
    else messages.push({ role: 'system', content: typeof m.content === 'string' ? m.content : textOf(m.content).join('\n\n') });
  }
  return messages;
}

function toolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      return choice.type;
  }
}

/** Anthropic's effort levels as reasoning_effort (chat completions has no `max`: its highest is `xhigh`). */
const EFFORT: Record<string, string> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'xhigh' };

/**
 * The chat completions request a Messages request stands for. `thinking`
 * has no chat equivalent a backend would read the same way and is dropped;
 * an explicit `output_config.effort` becomes `reasoning_effort`. `top_k`
 * and cache_control markers are dropped too (chat backends cache on their own).
 */
export function toChatRequest(request: MessagesRequest): ProxiedBody {
  const body: ProxiedBody = { model: request.model, messages: chatMessages(request) };
  if (request.stream) {
    body.stream = true;
    // The door reports usage in message_delta: the backend must send it.
    body.stream_options = { include_usage: true };
  }
  if (request.max_tokens) body.max_completion_tokens = request.max_tokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.stop_sequences?.length) body.stop = request.stop_sequences;
  const user = request.metadata?.user_id;
  if (typeof user === 'string' && user) body.user = user;
  // Routing rules read metadata, as for chat completions; it is not sent on.
  if (request.metadata) body.metadata = request.metadata;
  const effort = request.output_config?.effort;
  if (effort) body.reasoning_effort = EFFORT[effort];
  const format = request.output_config?.format;
  if (format?.schema)
    body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
  const tools = (request.tools ?? []).filter((t) => t.type == null || t.type === 'custom');
  if (tools.length) {
    body.tools = tools.map((t) => {
      const fn: Obj = { name: t.name, parameters: t.input_schema };
      if (t.description) fn.description = t.description;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: 'function', function: fn };
    });
    // Chat completions takes tool_choice and parallel_tool_calls only beside tools.
    const choice = request.tool_choice;
    if (choice) body.tool_choice = toolChoice(choice);
    if (choice?.disable_parallel_tool_use && choice.type !== 'none') body.parallel_tool_calls = false;
  }
  return body;
}
