import { MAX_OUTPUT_TOKENS, requestValidator } from '../../request/schemas.js';

// The Responses API request, checked for the fields the gateway reads or
// translates, with OpenAI's limits. Item contents are checked where they are
// translated (to-chat.ts), with errors that name the item.

const text = { type: 'string' };
const functionName = { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,64}$' };

const inputItem = {
  type: 'object',
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    role: { enum: ['user', 'assistant', 'system', 'developer'] },
    content: {
      anyOf: [
        text,
        {
          type: 'array',
          maxItems: 10_000,
          items: { type: 'object', required: ['type'], properties: { type: { type: 'string', maxLength: 64 } } },
        },
      ],
    },
    call_id: { type: 'string', minLength: 1, maxLength: 256 },
    name: { type: 'string', maxLength: 256 },
    arguments: text,
    output: { anyOf: [text, { type: 'array', items: { type: 'object' } }] },
    id: { type: 'string', maxLength: 256 },
  },
};

const tool = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    name: functionName,
    description: { type: 'string' },
    parameters: { type: ['object', 'null'] },
    strict: { type: ['boolean', 'null'] },
  },
};

const format = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['text', 'json_object', 'json_schema'] },
    name: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,64}$' },
    schema: { type: 'object' },
    strict: { type: ['boolean', 'null'] },
    description: { type: 'string' },
  },
  if: { properties: { type: { const: 'json_schema' } } },
  then: { required: ['name', 'schema'], properties: { name: { type: 'string' }, schema: { type: 'object' } } },
};

export const responsesRequestSchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    input: { anyOf: [text, { type: 'array', minItems: 1, maxItems: 100_000, items: inputItem }] },
    instructions: { type: ['string', 'null'] },
    tools: { type: 'array', maxItems: 128, items: tool },
    tool_choice: {
      anyOf: [
        { enum: ['auto', 'none', 'required'] },
        { type: 'object', required: ['type'], properties: { type: { type: 'string' }, name: functionName } },
      ],
    },
    parallel_tool_calls: { type: ['boolean', 'null'] },
    text: { type: 'object', properties: { format, verbosity: { enum: ['low', 'medium', 'high', null] } } },
    max_output_tokens: { type: ['integer', 'null'], minimum: 1, maximum: MAX_OUTPUT_TOKENS },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    reasoning: {
      type: ['object', 'null'],
      properties: { effort: { enum: ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', null] } },
    },
    metadata: {
      type: ['object', 'null'],
      maxProperties: 16,
      propertyNames: { maxLength: 64 },
      additionalProperties: { type: 'string', maxLength: 512 },
    },
    store: { type: ['boolean', 'null'] },
    previous_response_id: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
    stream: { type: ['boolean', 'null'] },
    user: { type: 'string', maxLength: 256 },
    truncation: { enum: ['auto', 'disabled', null] },
    background: { type: ['boolean', 'null'] },
  },
};

/** The checked Responses request. */
export interface ResponsesRequest extends Record<string, unknown> {
  model: string;
  input: string | ResponsesItem[];
  instructions?: string | null;
  tools?: { type: string; name?: string; description?: string; parameters?: unknown; strict?: boolean | null }[];
  tool_choice?: string | { type: string; name?: string };
  text?: { format?: { type: string; name?: string; schema?: unknown; strict?: boolean | null; description?: string } };
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: { effort?: string | null } | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  stream?: boolean | null;
  user?: string;
  parallel_tool_calls?: boolean | null;
}

/** An input (or stored output) item. */
export interface ResponsesItem extends Record<string, unknown> {
  type?: string;
  id?: string;
  role?: string;
  content?: string | Record<string, unknown>[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | Record<string, unknown>[];
}

export const validateResponsesRequest = requestValidator<ResponsesRequest>(responsesRequestSchema);
