import { isObject } from '../../request/is-object.js';
import { badRequest } from '../../errors.js';
import type { ProxiedBody } from '../../request/operations.js';
import type { CompiledBackend } from '../../table/backend.js';

// OpenAI's response_format on the Messages API, which has no such field: a
// JSON schema becomes a tool the model is made to call (its input is the
// answer), JSON mode an instruction in the system prompt.

type Obj = Record<string, unknown>;

/** Appended to the system prompt for `{"type": "json_object"}`. */
export const JSON_OBJECT_INSTRUCTION =
  'Answer with a single JSON object only: no text before or after it, and no Markdown code fence around it.';

/** The schema tool's name when the request's json_schema has none (the Messages door names its format so too). */
const DEFAULT_NAME = 'output';

export type JsonOutput =
  | { type: 'json_object' }
  /** The tool the model is made to call: its input is the answer. */
  | { type: 'json_schema'; tool: { name: string; description: string; input_schema: Obj } };

/** Why the request's own tools cannot go with each response format. */
const WITH_TOOLS: Record<JsonOutput['type'], string> = {
  json_schema: 'the gateway asks for the schema by forcing a tool call of its own, so the model could not call yours',
  json_object:
    'the gateway asks for JSON in the system prompt, which leaves it unclear whether the model should call your tools or answer in JSON',
};

const formatOf = (body: ProxiedBody): Obj | undefined => {
  const format = body.response_format;
  return isObject(format) && (format.type === 'json_object' || format.type === 'json_schema') ? format : undefined;
};

const nameOf = (spec: unknown): string =>
  isObject(spec) && typeof spec.name === 'string' && spec.name ? spec.name : DEFAULT_NAME;

/**
 * What the request's response_format asks of an Anthropic backend; undefined
 * for none (or `text`). With tools of the request's own, what the client
 * meant cannot be told (the answer in JSON, or a call of its tools): a 400
 * that says so, not a guess.
 */
export function jsonOutput(body: ProxiedBody, backend: Pick<CompiledBackend, 'name'>): JsonOutput | undefined {
  const format = formatOf(body);
  if (!format) return undefined;
  const type = format.type as JsonOutput['type'];
  if (Array.isArray(body.tools) && body.tools.length) {
    throw badRequest(
      `response_format: ${type} cannot be combined with tools on backend "${backend.name}" (anthropic): ${WITH_TOOLS[type]}. Send either tools or response_format.`,
      'unsupported_parameter',
      'response_format',
    );
  }
  if (type === 'json_object') return { type };
  const spec = format.json_schema;
  if (!isObject(spec)) {
    throw badRequest('response_format.json_schema: Field required', 'missing_required_parameter', 'response_format.json_schema');
  }
  if (spec.schema !== undefined && !isObject(spec.schema)) {
    throw badRequest(
      'response_format.json_schema.schema: Input should be a JSON Schema object',
      'invalid_type',
      'response_format.json_schema.schema',
    );
  }
  const description =
    typeof spec.description === 'string' && spec.description
      ? spec.description
      : "Give your answer as this tool's input: the whole answer, in the JSON its schema describes.";
  // No schema is any JSON object. `strict` is not sent: Anthropic takes it on tools for some models only.
  return { type, tool: { name: nameOf(spec), description, input_schema: spec.schema ?? { type: 'object' } } };
}

/** The name of the tool whose input is the answer, when the request asked for a JSON schema. */
export function schemaToolName(body: ProxiedBody): string | undefined {
  const format = formatOf(body);
  return format?.type === 'json_schema' ? nameOf(format.json_schema) : undefined;
}
