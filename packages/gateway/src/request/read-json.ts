import { GatewayError, badRequest } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The deepest a request body may nest arrays and objects. JSON.parse takes
 * any depth but JSON.stringify and the translators recurse, so a body of
 * 100,000 nested objects overflowed the stack in some doors (a 500) and not
 * others; refused here, every door answers it the same way.
 */
export const MAX_JSON_DEPTH = 256;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether valid JSON `text` nests deeper than `limit` (one pass, brackets inside strings skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * Parses a request body as a JSON object. Invalid UTF-8, broken JSON and
 * non-object bodies are the client's fault and answered 400; a Content-Type
 * other than JSON 415 (the body has been read already, so the connection
 * stays usable).
 */
export function parseJsonObject(contentType: string | undefined, bytes: Uint8Array): Record<string, unknown> {
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new GatewayError(415, 'invalid_request_error', 'Content-Type must be application/json.', {
      code: 'unsupported_media_type',
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest('The request body is not valid UTF-8.', 'invalid_utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `We could not parse the JSON body of your request (${(err as Error).message}). Send a JSON object.`,
      'invalid_json',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.', 'invalid_json');
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, 'invalid_json');
  }
  return value as Record<string, unknown>;
}
