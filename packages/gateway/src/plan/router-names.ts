import type { Problem } from '@switchboard/api';

// RouteLLM's `router-<name>-<threshold>` names: parsed for the lookup, and
// claimed like model names once routers are loaded (the table builder).

/** RouteLLM's client syntax `router-<name>-<threshold>`: the router name and threshold, or undefined. */
export function parseRouterModel(model: string): { router: string; threshold: number } | undefined {
  const m = /^router-(.+)-(\d+(?:\.\d+)?)$/.exec(model);
  const threshold = Number(m?.[2]);
  return m?.[1] && threshold >= 0 && threshold <= 1 ? { router: m[1], threshold } : undefined;
}

/** What claimRouterNames needs of a route that loaded: its model names and the names its router answers to. */
export interface RouterNameClaimant {
  id: string;
  modelNames: readonly string[];
  /** Whether `modelNames` came from spec.modelNames (else the route's name), for the problem's path. */
  explicitModelNames?: boolean;
  /** The router's folder name and kind (threshold); empty for strategies without a learned router. */
  routerNames: readonly string[];
}

export interface RouterNameClaims {
  /** Router name -> the id of the route that claimed `router-<name>-<threshold>`. */
  owners: Map<string, string>;
  /**
   * Routes served without some of their router aliases (a route before them
   * claimed the name): a ModelNameConflict problem each, the route kept.
   */
  withheld: Map<string, Problem[]>;
  /**
   * Routes with a model name spelled `router-<name>-<t>` whose `<name>` a
   * route before them claimed: rejected, as any model name conflict.
   */
  rejected: Map<string, Problem[]>;
}

/**
 * Claims RouteLLM's `router-<name>-<threshold>` names the way compileRoutes
 * claims model names: routes in table order (compile's; in Kubernetes mode
 * oldest first), the first route whose router answers to `<name>` owns
 * every `router-<name>-<t>`. A later route whose router answers to the same
 * name is still served under its own model names but without that alias,
 * with a ModelNameConflict problem naming the owner (the alias is derived
 * from the router, so the route's author could not rename it away; the
 * earlier route keeps the traffic the name stands for). A model name
 * spelled `router-<name>-<t>` claims `<name>` too (it would answer before
 * the alias): when another route claimed `<name>` first, the later route
 * is rejected, as for any model name conflict; when it comes first, a later
 * router of that name is served without the alias.
 *
 * Router names are known once routers are loaded (the kind is in
 * router.json), so the table builder calls this after building, in the
 * plan's order; it is data only, like compileRoutes.
 */
export function claimRouterNames(routes: readonly RouterNameClaimant[]): RouterNameClaims {
  const owners = new Map<string, string>();
  const withheld = new Map<string, Problem[]>();
  const rejected = new Map<string, Problem[]>();
  /** Names claimed through a literal model name (not served by a router: no alias lookup). */
  const literal = new Set<string>();
  for (const route of routes) {
    const conflicts: Problem[] = [];
    const spelled = new Set<string>();
    route.modelNames.forEach((model, i) => {
      const router = parseRouterModel(model)?.router;
      if (router === undefined) return;
      const owner = owners.get(router);
      if (owner !== undefined && owner !== route.id) {
        conflicts.push({
          path: route.explicitModelNames ? `spec.modelNames[${i}]` : 'metadata.name',
          message: `model name "${model}" is already served by route ${owner} (its router "${router}" answers to router-${router}-<threshold>)`,
          reason: 'ModelNameConflict',
        });
      } else spelled.add(router);
    });
    if (conflicts.length) {
      rejected.set(route.id, conflicts);
      continue;
    }
    for (const router of spelled) {
      if (!owners.has(router)) literal.add(router);
      owners.set(router, route.id);
    }
    const lost: Problem[] = [];
    for (const router of new Set(route.routerNames)) {
      const owner = owners.get(router);
      if (owner === undefined) owners.set(router, route.id);
      else if (owner !== route.id) {
        lost.push({
          path: 'spec.routing',
          message: `model name "router-${router}-<threshold>" (RouteLLM's name for this route's router "${router}") is already served by route ${owner}; this route is served without it, under its own model names`,
          reason: 'ModelNameConflict',
        });
      } else if (literal.has(router)) literal.delete(router);
    }
    if (lost.length) withheld.set(route.id, lost);
  }
  for (const router of literal) owners.delete(router);
  return { owners, withheld, rejected };
}
