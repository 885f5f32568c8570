import { parseField, type Field } from './buckets.js';

/** Figures of one backend (or one kind of routing call) added up over a window. */
export interface Figures {
  calls: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  spendNano: number;
}

/** One route's figures over a window: its backends' calls, its answers, the cost of routing, by tenant. */
export interface RouteFigures {
  calls: Map<string, Figures>;
  answers: Map<string, Figures>;
  routing: Map<string, Figures>;
  tenants: Map<string, { calls: Map<string, Figures>; answers: Map<string, Figures>; routing: Map<string, Figures> }>;
}

export const emptyFigures = (): Figures => ({ calls: 0, requests: 0, promptTokens: 0, completionTokens: 0, spendNano: 0 });

const figuresOf = (map: Map<string, Figures>, name: string) => {
  let f = map.get(name);
  if (!f) map.set(name, (f = emptyFigures()));
  return f;
};

const newParts = () => ({
  calls: new Map<string, Figures>(),
  answers: new Map<string, Figures>(),
  routing: new Map<string, Figures>(),
});

/** Bucket fields summed per route (and per tenant inside it), keeping those that pass `keep`. */
export function aggregate(buckets: Iterable<Map<string, number>>, keep: (f: Field) => boolean): Map<string, RouteFigures> {
  const routes = new Map<string, RouteFigures>();
  for (const fields of buckets) {
    for (const [name, value] of fields) {
      const f = parseField(name);
      if (!f || !keep(f)) continue;
      let route = routes.get(f.route);
      if (!route) routes.set(f.route, (route = { ...newParts(), tenants: new Map() }));
      let tenant = route.tenants.get(f.tenant);
      if (!tenant) route.tenants.set(f.tenant, (tenant = newParts()));
      const part = f.kind === 'call' ? 'calls' : f.kind === 'answer' ? 'answers' : 'routing';
      figuresOf(route[part], f.name)[f.metric] += value;
      figuresOf(tenant[part], f.name)[f.metric] += value;
    }
  }
  return routes;
}
