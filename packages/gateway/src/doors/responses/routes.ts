import type { Context } from 'hono';
import { ownerOf } from '../../auth/api-keys.js';
import type { AppDeps } from '../../context.js';
import { badRequest, GatewayError } from '../../errors.js';
import { requestHeader } from '../../request/headers.js';
import { readBody } from '../../request/read-body.js';
import { parseJsonObject } from '../../request/read-json.js';
import { countPromptTokens } from '../count-tokens.js';
import type { ResponsesDoor } from './door.js';
import { toChatRequest } from './to-chat.js';

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** The same 404 for an id that never existed, expired, was deleted or is another caller's. */
const notFound = (id: string) =>
  new GatewayError(404, 'invalid_request_error', `No response found with id '${id.slice(0, 256)}'.`, {
    code: 'response_not_found',
    param: 'response_id',
  });

const idOf = (c: Context): string => {
  const id = c.req.param('id') ?? '';
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(id)) throw notFound(id);
  return id;
};

/** GET /v1/responses/{id}: the caller's stored response. */
export function retrieveResponse(door: ResponsesDoor) {
  return async (c: Context): Promise<Response> => {
    if (c.req.query('stream') === 'true') {
      throw badRequest('Streaming a stored response again is not supported by this gateway.', 'unsupported_parameter', 'stream');
    }
    const id = idOf(c);
    const stored = await door.load(ownerOf(c.get('caller')), id);
    if (!stored) throw notFound(id);
    return c.json(stored.response);
  };
}

/** DELETE /v1/responses/{id}. */
export function deleteResponse(door: ResponsesDoor) {
  return async (c: Context): Promise<Response> => {
    const id = idOf(c);
    if (!(await door.delete(ownerOf(c.get('caller')), id))) throw notFound(id);
    return c.json({ id, object: 'response', deleted: true });
  };
}

/** GET /v1/responses/{id}/input_items: the input the response was made from (earlier turns included), paged as OpenAI pages lists. */
export function listInputItems(door: ResponsesDoor) {
  return async (c: Context): Promise<Response> => {
    const id = idOf(c);
    const stored = await door.load(ownerOf(c.get('caller')), id);
    if (!stored) throw notFound(id);
    const limitParam = c.req.query('limit');
    const limit = limitParam === undefined ? 20 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw badRequest("Invalid 'limit': expected an integer from 1 to 100.", 'invalid_value', 'limit');
    }
    const order = c.req.query('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw badRequest("Invalid 'order': expected asc or desc.", 'invalid_value', 'order');
    const items = order === 'asc' ? stored.input : [...stored.input].reverse();
    const after = c.req.query('after');
    const start = after === undefined ? 0 : items.findIndex((item) => item.id === after) + 1;
    if (after !== undefined && start === 0)
      throw badRequest(`No input item with id '${after.slice(0, 256)}'.`, 'invalid_value', 'after');
    const data = items.slice(start, start + limit);
    return c.json({
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: start + limit < items.length,
    });
  };
}

/** POST /v1/responses/input_tokens: the prompt's tokens, as the gateway counts them for routing and limits. */
export function countInputTokens(door: ResponsesDoor, deps: AppDeps) {
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return async (c: Context): Promise<Response> => {
    const json = parseJsonObject(requestHeader(c, 'content-type'), await readBody(c, limit));
    const call = await door.prepare(json, c);
    const tokens = countPromptTokens(deps, c, toChatRequest(call.request, call.input));
    return c.json({ object: 'response.input_tokens', input_tokens: tokens });
  };
}
