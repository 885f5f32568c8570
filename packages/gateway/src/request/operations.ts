import { isObject } from './is-object.js';
import type { NativeChatMessage, NativeTokenizer, PromptAnalysis as NativeAnalysis } from '@switchboard/native';
import type { RouterUse } from '../table/strategy.js';
import type { Capability, CompiledBackend } from '../table/backend.js';
import { usageFromOpenAI, type Usage } from './usage.js';
import { chatCompletionSchema, completionSchema, embeddingSchema, requestValidator } from './schemas.js';

/** The body fields every proxied operation shares, after validation. */
export interface ProxiedBody extends Record<string, unknown> {
  model: string;
  stream?: boolean | null;
}

/**
 * What the gateway reads of a request's prompt, extracted once: the chat
 * messages as the native tokenizer counts them (or a completion's or an
 * embedding's input), and the text routers and rules read.
 */
export interface PromptView {
  messages?: NativeChatMessage[];
  /** Completions and embeddings: the input in any of its four shapes. */
  input?: unknown;
  /** The text a learned router and the rules read: the last user message, or the prompt. */
  text: string;
  /** Chat: the index of the message `text` is (the last user message); absent when none. */
  routed?: number;
}

/**
 * One OpenAI endpoint the gateway proxies: how to check its body, read its
 * prompt, count its tokens and find completion text when a backend reports
 * no usage.
 */
export interface Operation {
  /** OTel `gen_ai.operation.name`. */
  name: 'chat' | 'text_completion' | 'embeddings';
  /** Path appended to the backend's base URL. */
  path: string;
  validate(body: Record<string, unknown>): ProxiedBody;
  /** The prompt, extracted once per request. */
  view(body: ProxiedBody): PromptView;
  /** The prompt's tokens with `tokenizer` (one native call). */
  promptTokens(tokenizer: NativeTokenizer, view: PromptView): number;
  /**
   * The prompt's tokens and `router`'s outputs for `view.text`, in one native
   * call; absent where no router reads the prompt (embeddings).
   */
  analyze?(tokenizer: NativeTokenizer, view: PromptView, router: RouterUse): NativeAnalysis;
  /** Backend features this request needs. */
  needs(body: ProxiedBody): Capability[];
  /** Generated text of a non-streaming response body. */
  completionText(response: unknown): string;
  /** Generated text carried by one streamed chunk. */
  deltaText(chunk: unknown): string;
  /** Usage in an answer or a stream event of this operation, if reported. */
  usageOf(payload: unknown): Usage | undefined;
  /**
   * The `usage` field of this operation's answers for the gateway's own
   * count (a backend that reported none); absent: chat completions' shape.
   */
  usageField?(usage: Usage): Record<string, unknown>;
  /** True for the stream event that says the answer is complete (OpenAI's `[DONE]`); `payload` is its parsed data. */
  streamDone(event: { event?: string | undefined; data: string }, payload: unknown): boolean;
  /** A failure after the stream started, framed as this operation's clients expect. */
  streamError?(error: { toJSON(): unknown }): string;
  /**
   * How the request reaches `backend`: as itself (absent), or as another
   * operation with its body translated and the answer translated back — a
   * front door (Responses, Messages) in front of backends that speak chat
   * completions.
   */
  upstream?(backend: CompiledBackend, body: ProxiedBody): Upstream | undefined;
}

/** The client's framing of a translated stream (a front door's own events). */
export interface StreamEgress {
  /** Client bytes for one upstream-level payload (an OpenAI chat chunk). */
  payload(payload: unknown): string;
  /**
   * Client bytes once the upstream stream ended complete (may wait: a door
   * stores the answer first). `counted` is the gateway's count, for a
   * backend that reported no usage.
   */
  end(counted: Usage): string | Promise<string>;
  /** Client bytes for a failure after the stream started. */
  error(error: { status: number; toJSON(): { error: { message: string; type: string; code: string | null } } }): string;
}

/** A request as sent to one backend, and how its answer comes back to the client. */
export interface Upstream {
  op: Operation;
  body: ProxiedBody;
  /** The client's answer from the backend's (OpenAI-shaped, for `op`) answer; may wait (a door stores it first). */
  answer(json: unknown): unknown;
  /** For streams: the client's framing; absent = the upstream events as they are. */
  egress?: StreamEgress;
  /** For streams: upstream payloads the client must not see (the usage chunk it did not ask for). */
  hide?: (payload: unknown) => boolean;
}

/** OpenAI streams end with `data: [DONE]`. */
export const openAIStreamDone = (event: { data: string }) => event.data === '[DONE]';

/** OpenAI's final usage chunk: no choices, a usage object. */
const isUsageChunk = (payload: unknown) => {
  const p = payload as { choices?: unknown; usage?: unknown } | null;
  return Array.isArray(p?.choices) && p.choices.length === 0 && p.usage != null;
};

/**
 * Streams always ask the backend for its usage (`stream_options.include_usage`),
 * so that limits and budgets settle on real counts; the usage chunk is then
 * hidden from a client that did not ask for it.
 */
function withStreamUsage(op: Operation, body: ProxiedBody): Upstream | undefined {
  if (!body.stream) return undefined;
  const options = (body.stream_options ?? {}) as Record<string, unknown>;
  const asked = options.include_usage === true;
  return {
    op,
    body: asked ? body : { ...body, stream_options: { ...options, include_usage: true } },
    answer: (json) => json,
    ...(asked ? {} : { hide: isUsageChunk }),
  };
}

interface ContentPart {
  type: string;
  text?: string;
}
interface ToolCall {
  function?: { name?: string; arguments?: string };
}
interface ChatMessageBody {
  role: string;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Text the model reads from a message: text parts joined, tool calls as
 * name + arguments. Answers come from backends, which may send anything:
 * whatever is not the expected shape counts as no text.
 */
function messageText(m: ChatMessageBody): string {
  let text = typeof m.content === 'string' ? m.content : '';
  if (Array.isArray(m.content)) {
    text = m.content.map((p) => (isObject(p) && p.type === 'text' ? str(p.text) : '')).join('\n');
  }
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls as unknown[]) {
      const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
      if (fn) text += `${str(fn.name)}${str(fn.arguments)}`;
    }
  }
  return text;
}

function toNativeMessages(messages: ChatMessageBody[]): NativeChatMessage[] {
  return messages.map((m) =>
    m.name === undefined ? { role: m.role, content: messageText(m) } : { role: m.role, content: messageText(m), name: m.name },
  );
}

/**
 * Tokens of a completions prompt and the router's outputs, one crossing:
 * string and string-list prompts in one call; token-id prompts are counted
 * here, so the router's call is the only one.
 */
function analyzeInput(tokenizer: NativeTokenizer, view: PromptView, router: RouterUse): NativeAnalysis {
  const input = view.input;
  const scoreOnly = router.reads === 'score';
  if (typeof input === 'string') return tokenizer.analyzeText(input, router.native, scoreOnly);
  if (Array.isArray(input) && typeof input[0] === 'string')
    return tokenizer.analyzeTexts(input as string[], router.native, scoreOnly);
  const text = view.text;
  return {
    tokens: countTextOrTokens(tokenizer, input),
    outputs: scoreOnly ? [router.native.score(text)] : router.native.outputs(text),
  };
}

/** Tokens of a completions prompt / embeddings input in any of its four shapes. */
function countTextOrTokens(tokenizer: NativeTokenizer, input: unknown): number {
  if (typeof input === 'string') return tokenizer.count(input);
  if (!Array.isArray(input) || input.length === 0) return 0;
  if (typeof input[0] === 'string') return tokenizer.countMany(input as string[]);
  if (typeof input[0] === 'number') return input.length;
  return (input as number[][]).reduce((sum, ids) => sum + ids.length, 0);
}

type Choice = { message?: unknown; delta?: unknown; text?: unknown };
const choicesOf = (value: unknown): Choice[] => {
  const choices = isObject(value) ? value.choices : undefined;
  return Array.isArray(choices) ? (choices as unknown[]).filter(isObject) : [];
};
const textOf = (m: unknown): string => (isObject(m) ? messageText(m as unknown as ChatMessageBody) : '');

/** tools, image parts and JSON response formats are what some backends cannot take. */
function chatNeeds(body: ProxiedBody): Capability[] {
  const needs: Capability[] = [];
  if (Array.isArray(body.tools) && body.tools.length) needs.push('tools');
  const format = (body.response_format as { type?: string } | undefined)?.type;
  if (format === 'json_object' || format === 'json_schema') needs.push('json-mode');
  const messages = body.messages as ChatMessageBody[];
  if (messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'))) needs.push('images');
  return needs;
}

const NOTHING: Capability[] = [];

/** The chat's messages for the tokenizer, and its last user message for routers. */
function chatView(body: ProxiedBody): PromptView {
  const messages = toNativeMessages(body.messages as ChatMessageBody[]);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as NativeChatMessage;
    if (m.role === 'user') return { messages, text: m.content, routed: i };
  }
  return { messages, text: '' };
}

/** A completion's prompt (strings joined) or an embedding's input, for routers. */
function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  return Array.isArray(input) ? input.filter((p): p is string => typeof p === 'string').join('') : '';
}

export const chatCompletions: Operation = {
  name: 'chat',
  path: 'chat/completions',
  validate: requestValidator<ProxiedBody>(chatCompletionSchema),
  needs: chatNeeds,
  view: chatView,
  promptTokens: (tokenizer, view) => tokenizer.countChat(view.messages ?? []),
  analyze: (tokenizer, view, router) =>
    tokenizer.analyzeChat(view.messages ?? [], router.native, view.routed, router.reads === 'score'),
  upstream: (_backend, body) => withStreamUsage(chatCompletions, body),
  usageOf: usageFromOpenAI,
  streamDone: openAIStreamDone,
  completionText: (response) =>
    choicesOf(response)
      .map((c) => textOf(c.message))
      .join(''),
  deltaText: (chunk) =>
    choicesOf(chunk)
      .map((c) => textOf(c.delta))
      .join(''),
};

export const completions: Operation = {
  name: 'text_completion',
  path: 'completions',
  validate: requestValidator<ProxiedBody>(completionSchema),
  needs: () => NOTHING,
  view: (body) => ({ input: body.prompt, text: inputText(body.prompt) }),
  promptTokens: (tokenizer, view) => countTextOrTokens(tokenizer, view.input),
  analyze: analyzeInput,
  upstream: (_backend, body) => withStreamUsage(completions, body),
  usageOf: usageFromOpenAI,
  streamDone: openAIStreamDone,
  completionText: (response) =>
    choicesOf(response)
      .map((c) => str(c.text))
      .join(''),
  deltaText: (chunk) =>
    choicesOf(chunk)
      .map((c) => str(c.text))
      .join(''),
};

export const embeddings: Operation = {
  name: 'embeddings',
  path: 'embeddings',
  validate: requestValidator<ProxiedBody>(embeddingSchema),
  needs: () => NOTHING,
  // Routers do not read embedding inputs (no strategy ranks embeddings by content).
  view: (body) => ({ input: body.input, text: '' }),
  promptTokens: (tokenizer, view) => countTextOrTokens(tokenizer, view.input),
  usageOf: usageFromOpenAI,
  streamDone: openAIStreamDone,
  completionText: () => '',
  deltaText: () => '',
};
