import { MAX_OUTPUT_TOKENS, requestValidator } from '../../request/schemas.js';

// The Messages API request, checked for the fields the gateway reads or
// translates, with Anthropic's limits; fields it does not know pass through
// (to anthropic backends). Blocks are checked where they are translated
// (to-chat.ts), with errors that name the block.

const text = { type: 'string' };
/** Anthropic's block types are snake_case words; which ones a backend takes is checked later. */
const blockType = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' };
const block = { type: 'object', required: ['type'], properties: { type: blockType } };
const textBlock = { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text } };

const message = {
  type: 'object',
  required: ['role', 'content'],
  properties: {
    // The SDK's MessageParam includes system turns inside the conversation.
    role: { enum: ['user', 'assistant', 'system'] },
    content: { anyOf: [text, { type: 'array', maxItems: 10_000, items: block }] },
  },
};

const tool = {
  type: 'object',
  required: ['name'],
  properties: {
    type: { type: ['string', 'null'], maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    description: text,
    strict: { type: 'boolean' },
  },
  // A custom tool (no type, or "custom") describes its input; server tools (bash_20250124, web_search_...) do not.
  if: { properties: { type: { enum: ['custom', null] } } },
  then: {
    required: ['input_schema'],
    properties: {
      name: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,128}$' },
      input_schema: { type: 'object', required: ['type'], properties: { type: { const: 'object' } } },
    },
  },
};

const toolChoice = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['auto', 'any', 'tool', 'none'] },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    disable_parallel_tool_use: { type: 'boolean' },
  },
  if: { properties: { type: { const: 'tool' } } },
  then: { required: ['name'], properties: { name: { type: 'string' } } },
};

const properties = {
  model: { type: 'string', minLength: 1, maxLength: 256 },
  messages: { type: 'array', minItems: 1, maxItems: 100_000, items: message },
  // 0 warms the prompt cache without generating (anthropic backends only).
  max_tokens: { type: 'integer', minimum: 0, maximum: MAX_OUTPUT_TOKENS },
  system: { anyOf: [text, { type: 'array', maxItems: 10_000, items: textBlock }] },
  stop_sequences: { type: 'array', maxItems: 8192, items: text },
  stream: { type: 'boolean' },
  temperature: { type: 'number', minimum: 0, maximum: 1 },
  top_p: { type: 'number', minimum: 0, maximum: 1 },
  top_k: { type: 'integer', minimum: 0 },
  metadata: { type: 'object', properties: { user_id: { type: ['string', 'null'], maxLength: 256 } } },
  tools: { type: 'array', maxItems: 10_000, items: tool },
  tool_choice: toolChoice,
  thinking: {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', maxLength: 64 }, budget_tokens: { type: 'integer', minimum: 1 } },
  },
  output_config: {
    type: 'object',
    properties: {
      effort: { enum: ['low', 'medium', 'high', 'xhigh', 'max', null] },
      format: {
        type: ['object', 'null'],
        required: ['type'],
        properties: { type: { const: 'json_schema' }, schema: { type: 'object' } },
      },
    },
  },
};

/** POST /v1/messages. */
export const messagesRequestSchema = { type: 'object', required: ['model', 'messages', 'max_tokens'], properties };

/** POST /v1/messages/count_tokens: the same prompt, nothing generated (no max_tokens, no stream). */
export const countTokensRequestSchema = { type: 'object', required: ['model', 'messages'], properties };

export type Block = Record<string, unknown> & { type: string };

export interface MessageParam {
  role: 'user' | 'assistant' | 'system';
  content: string | Block[];
}

export interface ToolParam extends Record<string, unknown> {
  type?: string | null;
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  strict?: boolean;
}

export interface ToolChoice {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

/** The checked Messages request. */
export interface MessagesRequest extends Record<string, unknown> {
  model: string;
  messages: MessageParam[];
  /** Absent only for count_tokens. */
  max_tokens?: number;
  system?: string | (Block & { text: string })[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  metadata?: { user_id?: string | null };
  tools?: ToolParam[];
  tool_choice?: ToolChoice;
  thinking?: { type: string; budget_tokens?: number };
  output_config?: {
    effort?: string | null;
    format?: { type: string; schema?: Record<string, unknown> } | null;
  };
}

export const validateMessagesRequest = requestValidator<MessagesRequest>(messagesRequestSchema);
export const validateCountTokensRequest = requestValidator<MessagesRequest>(countTokensRequestSchema);
