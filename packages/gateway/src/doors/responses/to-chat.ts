import { badRequest } from '../../errors.js';
import type { ProxiedBody } from '../../request/operations.js';
import type { ResponsesItem, ResponsesRequest } from './schema.js';

// Responses API request (with its conversation so far) -> chat completions request.

type ChatMessage = Record<string, unknown> & { role: string };
type Part = Record<string, unknown>;

const unsupported = (what: string, param: string) =>
  badRequest(`${what} is not supported by this gateway.`, 'unsupported_parameter', param);

/** The request's `input` as items: a string is one user message. */
export function inputItems(input: ResponsesRequest['input']): ResponsesItem[] {
  return typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input;
}

/** Checks what the schema leaves open: item types, their parts and their tools, with errors that name the place. */
export function checkRequest(request: ResponsesRequest): void {
  if (request.background) throw unsupported('Background responses', 'background');
  for (const field of ['conversation', 'prompt'] as const) {
    if (request[field] != null) throw unsupported(`'${field}'`, field);
  }
  for (const [i, tool] of (request.tools ?? []).entries()) {
    if (tool.type !== 'function') throw unsupported(`Tool type '${tool.type}' (only function tools are)`, `tools[${i}].type`);
    if (!tool.name)
      throw badRequest(`Missing required parameter: 'tools[${i}].name'.`, 'missing_required_parameter', `tools[${i}].name`);
    const schema = tool.parameters;
    if (schema != null && (schema as { type?: unknown }).type !== undefined && (schema as { type?: unknown }).type !== 'object') {
      throw badRequest(
        `Invalid schema for function '${tool.name}': the parameters schema must be of type "object".`,
        'invalid_function_parameters',
        `tools[${i}].parameters`,
      );
    }
  }
  const choice = request.tool_choice;
  if (typeof choice === 'object' && choice.type !== 'function') {
    throw unsupported(`tool_choice type '${choice.type}'`, 'tool_choice.type');
  }
  if (typeof choice === 'object' && !choice.name) {
    throw badRequest("Missing required parameter: 'tool_choice.name'.", 'missing_required_parameter', 'tool_choice.name');
  }
  if (Array.isArray(request.input)) request.input.forEach((item, i) => checkItem(item, `input[${i}]`));
}

function checkItem(item: ResponsesItem, at: string): void {
  const type = item.type ?? (item.role ? 'message' : undefined);
  switch (type) {
    case 'message':
      if (!item.role) throw badRequest(`Missing required parameter: '${at}.role'.`, 'missing_required_parameter', `${at}.role`);
      if (item.content === undefined)
        throw badRequest(`Missing required parameter: '${at}.content'.`, 'missing_required_parameter', `${at}.content`);
      if (Array.isArray(item.content)) item.content.forEach((p, j) => checkPart(p, item.role as string, `${at}.content[${j}]`));
      return;
    case 'function_call':
      for (const f of ['call_id', 'name', 'arguments'] as const) {
        if (typeof item[f] !== 'string')
          throw badRequest(`Missing required parameter: '${at}.${f}'.`, 'missing_required_parameter', `${at}.${f}`);
      }
      return;
    case 'function_call_output':
      if (typeof item.call_id !== 'string')
        throw badRequest(`Missing required parameter: '${at}.call_id'.`, 'missing_required_parameter', `${at}.call_id`);
      if (item.output === undefined)
        throw badRequest(`Missing required parameter: '${at}.output'.`, 'missing_required_parameter', `${at}.output`);
      return;
    case 'reasoning':
      return;
    case undefined:
      throw badRequest(`Missing required parameter: '${at}.type'.`, 'missing_required_parameter', `${at}.type`);
    default:
      throw badRequest(
        `Invalid value for '${at}.type': '${type}' is not an input item this gateway takes (message, function_call, function_call_output, reasoning).`,
        'invalid_value',
        `${at}.type`,
      );
  }
}

const PART_TYPES: Record<string, ReadonlySet<string>> = {
  user: new Set(['input_text', 'input_image']),
  system: new Set(['input_text']),
  developer: new Set(['input_text']),
  assistant: new Set(['output_text', 'refusal', 'input_text']),
};

function checkPart(part: Part, role: string, at: string): void {
  const type = part.type as string;
  if (!PART_TYPES[role]?.has(type)) {
    throw badRequest(
      `Invalid value for '${at}.type': '${type}' is not a content part of a ${role} message here.`,
      'invalid_value',
      `${at}.type`,
    );
  }
  if (type === 'input_image') {
    if (typeof part.image_url !== 'string' || !part.image_url) {
      throw unsupported('An input_image without image_url (file_id)', `${at}.image_url`);
    }
  } else if (typeof part[type === 'refusal' ? 'refusal' : 'text'] !== 'string') {
    throw badRequest(`Invalid type for '${at}.text': expected a string.`, 'invalid_type', `${at}.text`);
  }
}

function chatPart(part: Part): Part {
  if (part.type === 'input_image') {
    const url: Part = { url: part.image_url };
    if (typeof part.detail === 'string') url.detail = part.detail;
    return { type: 'image_url', image_url: url };
  }
  return { type: 'text', text: part.type === 'refusal' ? part.refusal : part.text };
}

const textOfParts = (content: string | Part[] | undefined): string =>
  typeof content === 'string' ? content : (content ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');

/** Items as chat messages: function calls join the assistant turn before them, outputs become tool messages. */
export function chatMessages(instructions: string | null | undefined, items: readonly ResponsesItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      // Backends take system more widely than developer; they mean the same here.
      const role = item.role === 'developer' ? 'system' : (item.role as string);
      const content = typeof item.content === 'string' ? item.content : (item.content ?? []).map(chatPart);
      messages.push({ role, content });
    } else if (type === 'function_call') {
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const last = messages.at(-1);
      if (last?.role === 'assistant') ((last.tool_calls ??= []) as unknown[]).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: textOfParts(item.output) });
    }
    // Reasoning items carry a model's own hidden state: other backends cannot read them.
  }
  return messages;
}

function responseFormat(request: ResponsesRequest): Record<string, unknown> | undefined {
  const f = request.text?.format;
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  const schema: Record<string, unknown> = { name: f.name, schema: f.schema };
  if (f.strict != null) schema.strict = f.strict;
  if (f.description) schema.description = f.description;
  return { type: 'json_schema', json_schema: schema };
}

/** The chat completions request a Responses request stands for, with `items` its whole input (earlier turns included). */
export function toChatRequest(request: ResponsesRequest, items: readonly ResponsesItem[]): ProxiedBody {
  const body: ProxiedBody = { model: request.model, messages: chatMessages(request.instructions, items) };
  if (request.stream) {
    body.stream = true;
    // The door reports usage in its completed event: the backend must send it.
    body.stream_options = { include_usage: true };
  }
  if (request.max_output_tokens != null) body.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.user !== undefined) body.user = request.user;
  if (request.parallel_tool_calls != null) body.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort) body.reasoning_effort = request.reasoning.effort;
  if (request.metadata) body.metadata = request.metadata;
  const format = responseFormat(request);
  if (format) body.response_format = format;
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => {
      const fn: Record<string, unknown> = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
      if (t.description) fn.description = t.description;
      if (t.strict != null) fn.strict = t.strict;
      return { type: 'function', function: fn };
    });
  }
  const choice = request.tool_choice;
  if (choice !== undefined)
    body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  return body;
}
