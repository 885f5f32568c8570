import { GatewayError, badRequest } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

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
  return value as Record<string, unknown>;
}
