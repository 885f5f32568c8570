import type { CompiledBackend } from '../table/backend.js';
import type { CompiledRoute, RouteTable } from '../table/route.js';
import { aggregate, emptyFigures, type Figures, type RouteFigures } from './aggregate.js';
import type { LedgerRead } from './ledger.js';

const NANO = 1e9;

export interface SavingsQuery {
  route?: string | undefined;
  tenant?: string | undefined;
  /** A backend name to price the traffic against, in place of each route's most expensive backend. */
  baseline?: string | undefined;
  /** Add a series per time bucket (for charts). */
  series: boolean;
}

export interface Baseline {
  backend: string;
  /** 'named' when the query named it, else 'most-expensive' (the backend the same answers would cost most on). */
  chosen: 'named' | 'most-expensive';
  cost: number;
}

const sum = (m: Map<string, Figures>) => {
  const t = emptyFigures();
  for (const f of m.values()) for (const k of Object.keys(t) as (keyof Figures)[]) t[k] += f[k];
  return t;
};
const priced = (b: CompiledBackend) => b.inputPricePerToken > 0 || b.outputPricePerToken > 0;
const costOn = (b: CompiledBackend, answers: Figures) =>
  answers.promptTokens * b.inputPricePerToken + answers.completionTokens * b.outputPricePerToken;

/** The backend the route's answers are priced against: the named one if the route has it, else the dearest for them. */
export function chooseBaseline(route: CompiledRoute | undefined, answers: Figures, named: string | undefined): Baseline | null {
  if (!route) return null;
  const byName = named === undefined ? undefined : route.backends.find((b) => b.name === named);
  if (byName) return { backend: byName.name, chosen: 'named', cost: costOn(byName, answers) };
  const candidates = route.backends.filter(priced);
  if (!candidates.length) return null;
  let best = candidates[0] as CompiledBackend;
  for (const b of candidates) if (costOn(b, answers) > costOn(best, answers)) best = b;
  return { backend: best.name, chosen: 'most-expensive', cost: costOn(best, answers) };
}

function money(f: Figures) {
  return { calls: f.calls, promptTokens: f.promptTokens, completionTokens: f.completionTokens, spend: f.spendNano / NANO };
}

function routeReport(id: string, figs: RouteFigures, route: CompiledRoute | undefined, named: string | undefined) {
  const answers = sum(figs.answers);
  const baseline = chooseBaseline(route, answers, named);
  const spend = sum(figs.calls).spendNano / NANO;
  const routingCost = sum(figs.routing).spendNano / NANO;
  const names = new Set([...(route?.backends.map((b) => b.name) ?? []), ...figs.calls.keys(), ...figs.answers.keys()]);
  const backends = [...names].map((name) => {
    const b = route?.backends.find((x) => x.name === name);
    const requests = figs.answers.get(name)?.requests ?? 0;
    return {
      backend: name,
      requests,
      share: answers.requests ? requests / answers.requests : 0,
      ...money(figs.calls.get(name) ?? emptyFigures()),
      priced: b ? priced(b) : null,
    };
  });
  const routing = [...figs.routing].map(([name, f]) => {
    const [kind, backend] = name.split(':') as [string, string];
    return { kind, backend: backend || null, ...money(f), priced: f.spendNano > 0 };
  });
  const tenants = [...figs.tenants].map(([tenant, t]) => {
    const tAnswers = sum(t.answers);
    const b = baseline && route?.backends.find((x) => x.name === baseline.backend);
    const tSpend = sum(t.calls).spendNano / NANO + sum(t.routing).spendNano / NANO;
    const baselineCost = b ? costOn(b, tAnswers) : null;
    return {
      tenant,
      requests: tAnswers.requests,
      spend: tSpend,
      baselineCost,
      saved: baselineCost === null ? null : baselineCost - tSpend,
    };
  });
  return {
    route: id,
    known: route !== undefined,
    requests: answers.requests,
    spend,
    routingCost,
    baseline,
    saved: baseline ? baseline.cost - spend - routingCost : null,
    savedShare: baseline && baseline.cost > 0 ? (baseline.cost - spend - routingCost) / baseline.cost : null,
    backends,
    routing,
    unpriced: route?.backends.filter((b) => !priced(b)).map((b) => b.name) ?? [],
    tenants,
  };
}

/** One point of a chart: a bucket's spend, cost of routing and baseline cost, and requests per backend. */
function seriesOf(read: LedgerRead, table: RouteTable, q: SavingsQuery, baselines: Map<string, string | undefined>) {
  const keep = (route: string, tenant: string) => (!q.route || route === q.route) && (!q.tenant || tenant === q.tenant);
  return [...read.buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, fields]) => {
      const routes = aggregate([fields], (f) => keep(f.route, f.tenant));
      return {
        start: new Date(start).toISOString(),
        routes: [...routes].map(([id, figs]) => {
          const route = table.routes.find((r) => r.id === id);
          const base = chooseBaseline(route, sum(figs.answers), baselines.get(id));
          const requests = Object.fromEntries([...figs.answers].map(([b, f]) => [b, f.requests]));
          const spend = (sum(figs.calls).spendNano + sum(figs.routing).spendNano) / NANO;
          return { route: id, spend, baselineCost: base?.cost ?? null, requests };
        }),
      };
    });
}

/** GET /v1/savings's answer for a window read from the ledger, priced with the table's current prices. */
export function savingsReport(read: LedgerRead, table: RouteTable, q: SavingsQuery) {
  const routes = aggregate(
    read.buckets.values(),
    (f) => (!q.route || f.route === q.route) && (!q.tenant || f.tenant === q.tenant),
  );
  const reports = [...routes]
    .map(([id, figs]) =>
      routeReport(
        id,
        figs,
        table.routes.find((r) => r.id === id),
        q.baseline,
      ),
    )
    .sort((a, b) => a.route.localeCompare(b.route));
  const spend = reports.reduce((s, r) => s + r.spend, 0);
  const routingCost = reports.reduce((s, r) => s + r.routingCost, 0);
  // Routes without a baseline (no prices, or gone from the table) count in spend but not in what was saved.
  const based = reports.filter((r) => r.baseline);
  const chosen = new Map(reports.map((r) => [r.route, r.baseline?.backend]));
  return {
    object: 'savings',
    window: { from: new Date(read.from).toISOString(), to: new Date(read.to).toISOString(), resolution: read.resolution },
    filter: { route: q.route ?? null, tenant: q.tenant ?? null, baseline: q.baseline ?? null },
    totals: {
      requests: reports.reduce((s, r) => s + r.requests, 0),
      spend,
      routingCost,
      baselineCost: based.reduce((s, r) => s + (r.baseline?.cost ?? 0), 0),
      saved: based.reduce((s, r) => s + (r.saved ?? 0), 0),
      withoutBaseline: reports.filter((r) => !r.baseline).map((r) => r.route),
    },
    routes: reports,
    ...(q.series ? { series: seriesOf(read, table, q, chosen) } : {}),
  };
}
