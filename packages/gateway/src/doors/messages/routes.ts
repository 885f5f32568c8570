import type { Context } from 'hono';
import type { AppDeps } from '../../context.js';
import { badRequest } from '../../errors.js';
import { requestHeader } from '../../request/headers.js';
import { readBody } from '../../request/read-body.js';
import { parseJsonObject } from '../../request/read-json.js';
import { countPromptTokens } from '../count-tokens.js';
import type { MessagesDoor } from './door.js';

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

type Handler = (c: Context) => Response | Promise<Response>;

/**
 * Anthropic's API requires `anthropic-version` on every request (it says
 * which version the body is written for): without it, Anthropic's own 400.
 * Any date-shaped version is taken; passed-through requests carry it on.
 */
export function requireAnthropicVersion(handler: Handler): Handler {
  return (c) => {
    const version = requestHeader(c, 'anthropic-version');
    if (version === undefined || version === '') {
      throw badRequest('anthropic-version: header is required', 'missing_required_header', 'anthropic-version');
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
      throw badRequest(
        `anthropic-version: '${version.slice(0, 64)}' is not a valid version (expected a date such as 2023-06-01)`,
        'invalid_header',
        'anthropic-version',
      );
    }
    return handler(c);
  };
}

/** POST /v1/messages/count_tokens: the prompt's tokens, as the gateway counts them for routing and limits. */
export function countTokens(door: MessagesDoor, deps: AppDeps): Handler {
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c) => {
    const json = parseJsonObject(requestHeader(c, 'content-type'), await readBody(c, limit));
    const id = c.get('requestId');
    const headers = { 'x-request-id': id, ...door.answerHeaders(id) };
    return c.json({ input_tokens: countPromptTokens(deps, c, door.countable(json)) }, 200, headers);
  };
}
