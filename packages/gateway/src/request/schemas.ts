import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { badRequest, type GatewayError } from '../errors.js';

// Request bodies are checked for the fields the gateway reads or that a
// backend would reject, with OpenAI's limits; unknown fields pass through.

const modelField = { type: 'string', minLength: 1, maxLength: 256 };
/**
 * The most output tokens a request may ask for (per choice), in every door:
 * the largest 32-bit integer, which is what inference servers take. Without
 * a ceiling, `n` times a max_tokens near 1e308 overflows the reservation
 * made against limits and budgets.
 */
export const MAX_OUTPUT_TOKENS = 2_147_483_647;
const outputTokens = { type: ['integer', 'null'], minimum: 1, maximum: MAX_OUTPUT_TOKENS };
const tokenArray = { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 1_000_000 };
const textOrTokens = {
  anyOf: [
    { type: 'string' },
    { type: 'array', minItems: 1, items: { type: 'string' }, maxItems: 2048 },
    { ...tokenArray, minItems: 1 },
    { type: 'array', minItems: 1, items: { ...tokenArray, minItems: 1 }, maxItems: 2048 },
  ],
};
const sampling = {
  stream: { type: ['boolean', 'null'] },
  stream_options: { type: ['object', 'null'] },
  max_tokens: outputTokens,
  temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
  top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
  n: { type: ['integer', 'null'], minimum: 1, maximum: 128 },
  presence_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
  frequency_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
  stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }, { type: 'null' }] },
  user: { type: 'string', maxLength: 256 },
};

const contentPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, text: { type: 'string' } },
};

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: contentPart }, { type: 'null' }] },
    name: { type: 'string', minLength: 1, maxLength: 64 },
    tool_calls: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          type: { type: 'string' },
          function: {
            type: 'object',
            properties: { name: { type: 'string' }, arguments: { type: 'string' } },
          },
        },
      },
    },
    tool_call_id: { type: 'string' },
  },
};

export const chatCompletionSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: modelField,
    messages: { type: 'array', minItems: 1, maxItems: 100_000, items: message },
    max_completion_tokens: outputTokens,
    tools: { type: 'array', maxItems: 128, items: { type: 'object' } },
    response_format: { type: 'object' },
    ...sampling,
  },
};

export const completionSchema = {
  type: 'object',
  required: ['model', 'prompt'],
  properties: { model: modelField, prompt: textOrTokens, ...sampling },
};

export const embeddingSchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: modelField,
    input: textOrTokens,
    encoding_format: { enum: ['float', 'base64'] },
    dimensions: { type: 'integer', minimum: 1 },
    user: { type: 'string', maxLength: 256 },
  },
};

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

/** Compiles a schema into a check that throws an OpenAI-style 400 on the first problem. */
export function requestValidator<T>(schema: object): (body: Record<string, unknown>) => T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (body) => {
    if (!validate(body)) throw toGatewayError(mostSpecific(validate.errors ?? []));
    return body as T;
  };
}

/**
 * With anyOf, ajv reports every branch's failure and then the anyOf itself.
 * A failure other than "wrong type" means the value had a right type but a
 * wrong size or value: that is the one worth telling.
 */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  const last = errors.at(-1);
  if (last?.keyword !== 'anyOf') return errors[0];
  return (
    errors.find((e) => e.keyword !== 'type' && e.keyword !== 'anyOf' && e.instancePath.startsWith(last.instancePath)) ?? last
  );
}

function toGatewayError(e: ErrorObject | undefined): GatewayError {
  if (!e) return badRequest('Invalid request body.', 'invalid_request');
  const path = pointerToParam(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const field = path ? `${path}.${String(p.missingProperty)}` : String(p.missingProperty);
      return badRequest(`Missing required parameter: '${field}'.`, 'missing_required_parameter', field);
    }
    case 'type':
      return badRequest(`Invalid type for '${path}': ${e.message ?? 'wrong type'}.`, 'invalid_type', path);
    case 'anyOf':
      return badRequest(`Invalid type for '${path}': not one of the accepted forms.`, 'invalid_type', path);
    case 'minItems':
      return badRequest(
        p.limit === 1
          ? `Invalid '${path}': empty array. Expected an array with minimum length 1.`
          : `Invalid '${path}': ${e.message}.`,
        p.limit === 1 ? 'empty_array' : 'array_below_min_length',
        path,
      );
    case 'maxItems':
      return badRequest(`Invalid '${path}': ${e.message}.`, 'array_above_max_length', path);
    case 'minLength':
      return badRequest(`Invalid '${path}': empty string.`, 'empty_string', path);
    case 'maxLength':
      return badRequest(`Invalid '${path}': ${e.message}.`, 'string_above_max_length', path);
    case 'enum':
      return badRequest(
        `Invalid value for '${path}': must be one of ${(p.allowedValues as unknown[]).join(', ')}.`,
        'invalid_value',
        path,
      );
    default:
      return badRequest(`Invalid value for '${path}': ${e.message ?? e.keyword}.`, 'invalid_value', path);
  }
}

/** `/messages/0/role` -> `messages[0].role` (OpenAI's `param` style). */
function pointerToParam(pointer: string): string {
  let out = '';
  for (const seg of pointer.split('/').slice(1)) {
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}
