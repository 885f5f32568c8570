import type { Context } from 'hono';
import type { AppDeps } from '../context.js';
import { mayUse } from '../auth/api-keys.js';
import { GatewayError } from '../errors.js';

const model = (id: string, created: number) => ({ id, object: 'model', created, owned_by: 'switchboard' });

/** `GET /v1/models`: every model name some route serves. */
export function listModels(deps: AppDeps, created: () => number) {
  return (c: Context) => {
    const caller = c.get('caller');
    const ids = [...deps.tables.current().byModel.entries()]
      .filter(([model, route]) => mayUse(caller, route, model))
      .map(([model]) => model)
      .sort();
    return c.json({ object: 'list', data: ids.map((id) => model(id, created())) }, 200, { 'x-request-id': c.get('requestId') });
  };
}

/** `GET /v1/models/:model`. */
export function retrieveModel(deps: AppDeps, created: () => number) {
  return (c: Context) => {
    const id = c.req.param('model') ?? '';
    const route = deps.tables.current().byModel.get(id);
    if (!route || !mayUse(c.get('caller'), route, id)) {
      throw new GatewayError(404, 'not_found_error', `The model \`${id.slice(0, 256)}\` does not exist.`, {
        code: 'model_not_found',
        param: 'model',
      });
    }
    return c.json(model(id, created()), 200, { 'x-request-id': c.get('requestId') });
  };
}
