import { mayUse, type Caller } from '../auth/api-keys.js';
import { GatewayError } from '../errors.js';
import { parseRouterModel } from '../plan/router-names.js';
import type { CompiledRoute, RouteTable } from '../table/route.js';

/** The route a request's `model` names, with a per-request threshold for RouteLLM's syntax. */
export interface Lookup {
  route: CompiledRoute;
  thresholdOverride: number | undefined;
}

/**
 * The route serving `model`, or RouteLLM's client syntax
 * `router-<router>-<threshold>` (e.g. router-mf-0.3): the route that claimed
 * that router name when the table was built (the first in table order whose
 * learned router answers to it, never a later one; plan/compile.ts
 * claimRouterNames), with the threshold for this request. 404 when neither,
 * 403 when the caller may not use it.
 */
export function lookupRoute(model: string, table: RouteTable, caller: Caller | undefined): Lookup {
  let lookup: Lookup | undefined;
  const route = table.byModel.get(model);
  if (route) lookup = { route, thresholdOverride: undefined };
  else {
    const syntax = parseRouterModel(model);
    const named = syntax && table.byRouterName.get(syntax.router);
    if (syntax && named) lookup = { route: named, thresholdOverride: syntax.threshold };
  }
  if (!lookup) throw modelNotFound(model, table, caller);
  if (!mayUse(caller, lookup.route, model)) {
    throw new GatewayError(403, 'permission_error', `API key "${caller?.keyName}" may not use model \`${model}\`.`, {
      code: 'model_not_allowed',
      param: 'model',
    });
  }
  return lookup;
}

/** 404 for an unknown model, listing (some of) the models this caller may use. */
function modelNotFound(model: string, table: RouteTable, caller: Caller | undefined): GatewayError {
  const known = [...table.byModel.entries()]
    .filter(([name, route]) => mayUse(caller, route, name))
    .map(([name]) => name)
    .sort();
  const list = known.length
    ? ` Known models: ${known.slice(0, 50).join(', ')}${known.length > 50 ? ', ...' : ''}.`
    : ' No models are available to this API key.';
  return new GatewayError(404, 'not_found_error', `The model \`${model.slice(0, 256)}\` does not exist.${list}`, {
    code: 'model_not_found',
    param: 'model',
  });
}
