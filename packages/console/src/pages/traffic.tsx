import { useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { TimeChart, type ChartSeries } from '../components/time-chart.js';
import { usePoll } from '../hooks.js';
import type { Overview, Savings, Stats } from '../types.js';

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Requests per minute by backend for one route, from the savings series (shared by every replica). */
function decisionSeries(savings: Savings | undefined, route: string): { x: number[]; series: ChartSeries[] } {
  const points = savings?.series ?? [];
  const backends = new Set<string>();
  for (const p of points)
    for (const r of p.routes) if (r.route === route) for (const b of Object.keys(r.requests)) backends.add(b);
  const x = points.map((p) => seconds(p.start));
  const series = [...backends].map((b) => ({
    label: b,
    values: points.map((p) => p.routes.find((r) => r.route === route)?.requests[b] ?? 0),
  }));
  return { x, series };
}

/** Error rate and latency percentiles by backend for one route (this replica's figures). */
function statSeries(stats: Stats | undefined, route: string) {
  const rows = (stats?.series ?? []).filter((s) => s.route === route);
  const minutes = [...new Set(rows.flatMap((s) => s.points.map((p) => p.minute)))].sort();
  const x = minutes.map(seconds);
  const at = (backend: string, m: string) => rows.find((s) => s.backend === backend)?.points.find((p) => p.minute === m);
  const errors: ChartSeries[] = rows.map((s) => ({
    label: s.backend,
    values: minutes.map((m) => {
      const p = at(s.backend, m);
      return p && p.requests ? (p.errors / p.requests) * 100 : null;
    }),
  }));
  const latency: ChartSeries[] = rows.flatMap((s) =>
    (['p50', 'p95', 'p99'] as const).map((q) => ({
      label: `${s.backend} ${q}`,
      values: minutes.map((m) => at(s.backend, m)?.[q] ?? null),
    })),
  );
  return { x, errors, latency };
}

/** Decisions over time per route and backend, error rates and latency percentiles, as charts. */
export function TrafficPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const overview = usePoll(() => getJson<Overview>('/console/api/overview'), 0, [], onUnauthorized);
  const savings = usePoll(() => getJson<Savings>('/console/api/savings?window=1h&series=1'), 5000, [], onUnauthorized);
  const stats = usePoll(() => getJson<Stats>('/console/api/stats?minutes=60'), 5000, [], onUnauthorized);
  const routes = overview.data?.routes.map((r) => r.id) ?? [];
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const route = chosen ?? routes[0];
  if (overview.error) return <p role="alert">{overview.error}</p>;
  if (!route) return <p>Loading…</p>;
  const d = decisionSeries(savings.data, route);
  const s = statSeries(stats.data, route);
  const now = Math.floor(Date.now() / 1000);
  const range: [number, number] = [now - 3600, now + 60];
  return (
    <>
      <h1>Traffic</h1>
      <label>
        Route{' '}
        <select value={route} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
          {routes.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <p class="muted">
        The last hour, per minute. Requests come from the savings counts (every replica); errors and latency from this replica.
      </p>
      <TimeChart title={`Requests per minute by backend (${route})`} x={d.x} series={d.series} yLabel="requests" range={range} />
      <TimeChart
        title={`Error rate by backend, 5xx and 429 (${route})`}
        x={s.x}
        series={s.errors}
        yLabel="%"
        format={(v) => v.toFixed(1)}
        range={range}
      />
      <TimeChart
        title={`Latency percentiles (${route})`}
        x={s.x}
        series={s.latency}
        yLabel="ms"
        format={(v) => v.toFixed(0)}
        range={range}
      />
    </>
  );
}
