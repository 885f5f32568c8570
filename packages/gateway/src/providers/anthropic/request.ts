import type { CompiledBackend } from '../../table/backend.js';
import type { ProxiedBody } from '../../request/operations.js';
import { JSON_OBJECT_INSTRUCTION, jsonOutput } from './json-output.js';

// OpenAI chat request -> Anthropic Messages request.

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

interface OpenAIPart {
  type: string;
  text?: string;
  image_url?: { url?: string } | string;
  /** Anthropic prompt caching, passed through on the block (clients of the gateway may set it on parts). */
  cache_control?: unknown;
}
interface OpenAIToolCall {
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface OpenAIMessage {
  role: string;
  content?: string | OpenAIPart[] | null;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
}

export const DEFAULT_MAX_TOKENS = 4096;

function textOf(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('\n');
}

function imageBlock(part: OpenAIPart): Block {
  const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url?.url ?? '');
  const data = /^data:([^;]+);base64,(.*)$/s.exec(url);
  return data
    ? { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } }
    : { type: 'image', source: { type: 'url', url } };
}

function contentBlocks(content: OpenAIMessage['content']): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return (content ?? []).map((p) => {
    const block = p.type === 'image_url' ? imageBlock(p) : { type: 'text', text: p.text ?? '' };
    return p.cache_control ? { ...block, cache_control: p.cache_control } : block;
  });
}

/**
 * System messages as Anthropic system blocks (keeping cache_control), or one
 * string when none is cached; `extra` (the gateway's own instruction) comes
 * last, after any cached prefix, so the cache still matches.
 */
function systemOf(messages: OpenAIMessage[], extra?: string): string | Block[] | undefined {
  const blocks = messages.flatMap((m) => contentBlocks(m.content)).filter((b) => b.type === 'text');
  if (extra) blocks.push({ type: 'text', text: extra });
  if (!blocks.length) return undefined;
  return blocks.some((b) => b.cache_control) ? blocks : blocks.map((b) => b.text as string).join('\n\n');
}

function parseArguments(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { _raw: text };
  }
}

/** Anthropic wants user and assistant turns to alternate: consecutive turns of one role are merged. */
function push(messages: AnthropicMessage[], role: 'user' | 'assistant', blocks: Block[]): void {
  const last = messages.at(-1);
  if (last && last.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

interface OpenAITool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: unknown };
}

function toolChoice(choice: unknown): Block | undefined {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  const name = (choice as { function?: { name?: string } } | null)?.function?.name;
  return name ? { type: 'tool', name } : undefined;
}

/** The Messages API body for an OpenAI chat completions request. */
export function toAnthropicRequest(body: ProxiedBody, backend: CompiledBackend): Record<string, unknown> {
  const output = jsonOutput(body, backend);
  const all = body.messages as OpenAIMessage[];
  const messages: AnthropicMessage[] = [];
  for (const m of all) {
    if (m.role === 'system' || m.role === 'developer') continue;
    if (m.role === 'tool') {
      push(messages, 'user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: textOf(m.content) }]);
    } else if (m.role === 'assistant') {
      const blocks = contentBlocks(m.content);
      for (const call of m.tool_calls ?? []) {
        blocks.push({
          type: 'tool_use',
          id: call.id ?? '',
          name: call.function?.name ?? '',
          input: parseArguments(call.function?.arguments),
        });
      }
      push(messages, 'assistant', blocks);
    } else {
      push(messages, 'user', contentBlocks(m.content));
    }
  }
  const out: Record<string, unknown> = {
    model: backend.model,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? backend.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
  };
  const system = systemOf(
    all.filter((m) => m.role === 'system' || m.role === 'developer'),
    output?.type === 'json_object' ? JSON_OBJECT_INSTRUCTION : undefined,
  );
  if (system !== undefined) out.system = system;
  // Anthropic's temperature runs from 0 to 1, OpenAI's to 2.
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, body.temperature);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (body.stop != null) out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  if (body.stream) out.stream = true;
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  const tools = body.tools as OpenAITool[] | undefined;
  if (tools?.length) {
    out.tools = tools.map((t) => ({
      name: t.function?.name ?? '',
      ...(t.function?.description ? { description: t.function.description } : {}),
      input_schema: t.function?.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toolChoice(body.tool_choice);
  if (choice) out.tool_choice = choice;
  if (output?.type === 'json_schema') {
    // Exactly one call of the schema tool: its input is the answer (response.ts and stream.ts read it back).
    out.tools = [output.tool];
    out.tool_choice = { type: 'tool', name: output.tool.name, disable_parallel_tool_use: true };
  }
  return out;
}
