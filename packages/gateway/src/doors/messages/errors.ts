import type { GatewayError } from '../../errors.js';

// Anthropic's error shape, for every failure on the Messages API's paths:
// `{"type": "error", "error": {"type", "message"}, "request_id"}`, the type
// chosen by HTTP status as Anthropic's API chooses it, so the SDKs raise
// their typed errors (BadRequestError, AuthenticationError, RateLimitError, ...).

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** True for the paths whose errors are Anthropic-shaped: `/v1/messages` and below. */
export const isMessagesPath = (path: string): boolean => /^\/v1\/messages(\/|$)/.test(path);

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    // No backend available, like Anthropic's own overload (529), is worth retrying shortly.
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/** The body of an error answer (`request_id` is the gateway's, as in x-request-id). */
export function anthropicErrorBody(err: Pick<GatewayError, 'status' | 'message'>, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } };
  if (requestId) body.request_id = requestId;
  return body;
}

/** A failure after a stream started: Anthropic's `error` event, which the SDKs raise as an APIError of its type. */
export function errorEvent(status: number, message: string): string {
  const body = { type: 'error', error: { type: anthropicErrorType(status), message } };
  return `event: error\ndata: ${JSON.stringify(body)}\n\n`;
}
