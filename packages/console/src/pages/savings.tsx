import { useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { ShareBars } from '../components/share-bars.js';
import { TimeChart } from '../components/time-chart.js';
import { count, money, percent } from '../format.js';
import { usePoll } from '../hooks.js';
import type { Savings, SavingsRoute } from '../types.js';

/** Cumulative spend against the cumulative baseline, bucket by bucket. */
function cumulative(data: Savings) {
  const points = data.series ?? [];
  let spend = 0;
  let baseline = 0;
  const x: number[] = [];
  const spent: number[] = [];
  const base: number[] = [];
  for (const p of points) {
    for (const r of p.routes) {
      spend += r.spend;
      baseline += r.baselineCost ?? 0;
    }
    x.push(Math.floor(Date.parse(p.start) / 1000));
    spent.push(spend);
    base.push(baseline);
  }
  return {
    x,
    series: [
      { label: 'spend', values: spent },
      { label: 'baseline', values: base },
    ],
  };
}

function RouteSavings({ r }: { r: SavingsRoute }) {
  return (
    <section class="card" aria-labelledby={`sv-${r.route}`}>
      <h2 id={`sv-${r.route}`}>{r.route}</h2>
      <p>
        {count(r.requests)} answers · spend {money(r.spend)} · routing {money(r.routingCost)} · baseline{' '}
        {r.baseline ? `${money(r.baseline.cost)} on ${r.baseline.backend} (${r.baseline.chosen})` : 'none (no prices)'} · saved{' '}
        <strong>{money(r.saved)}</strong> ({percent(r.savedShare)})
      </p>
      <ShareBars
        label={`Share of answers by backend (${r.route})`}
        items={r.backends.map((b) => ({
          name: b.backend,
          share: b.share,
          detail: `${count(b.requests)} answers, ${money(b.spend)}`,
        }))}
      />
      <table>
        <caption>Tokens and spend by backend (every call, failed cascade stages included)</caption>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Calls</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">Spend</th>
          </tr>
        </thead>
        <tbody>
          {r.backends.map((b) => (
            <tr key={b.backend}>
              <th scope="row">
                {b.backend}
                {b.priced === false ? <span class="warn"> (no prices)</span> : null}
              </th>
              <td>{count(b.calls)}</td>
              <td>{count(b.promptTokens)}</td>
              <td>{count(b.completionTokens)}</td>
              <td>{money(b.spend)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.routing.length ? (
        <table>
          <caption>The cost of routing itself</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Backend</th>
              <th scope="col">Calls</th>
              <th scope="col">Spend</th>
            </tr>
          </thead>
          <tbody>
            {r.routing.map((o) => (
              <tr key={`${o.kind}:${o.backend ?? ''}`}>
                <th scope="row">{o.kind}</th>
                <td>{o.backend ?? '—'}</td>
                <td>{count(o.calls)}</td>
                <td>{o.priced ? money(o.spend) : 'not priced'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {r.unpriced.length ? <p class="warn">Backends without prices: {r.unpriced.join(', ')}.</p> : null}
    </section>
  );
}

/** Savings against a baseline backend: totals, the curve over time, each route's shares and costs. */
export function SavingsPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [window, setWindow] = useState('1h');
  const [baseline, setBaseline] = useState('');
  const query = `window=${window}&series=1${baseline ? `&baseline=${encodeURIComponent(baseline)}` : ''}`;
  const { data, error } = usePoll(() => getJson<Savings>(`/console/api/savings?${query}`), 5000, [query], onUnauthorized);
  return (
    <>
      <h1>Savings</h1>
      <form class="row" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window{' '}
          <select value={window} onChange={(e) => setWindow((e.target as HTMLSelectElement).value)}>
            {['15m', '1h', '24h', '7d', '30d'].map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
        <label>
          Baseline backend{' '}
          <input
            value={baseline}
            placeholder="most expensive"
            onChange={(e) => setBaseline((e.target as HTMLInputElement).value.trim())}
          />
        </label>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {data ? (
        <>
          <dl class="totals">
            <div>
              <dt>Answers</dt>
              <dd>{count(data.totals.requests)}</dd>
            </div>
            <div>
              <dt>Spend</dt>
              <dd>{money(data.totals.spend)}</dd>
            </div>
            <div>
              <dt>Cost of routing</dt>
              <dd>{money(data.totals.routingCost)}</dd>
            </div>
            <div>
              <dt>Baseline</dt>
              <dd>{money(data.totals.baselineCost)}</dd>
            </div>
            <div>
              <dt>Saved</dt>
              <dd>
                <strong>{money(data.totals.saved)}</strong>
              </dd>
            </div>
          </dl>
          <TimeChart
            title="Spend against the baseline (cumulative)"
            {...cumulative(data)}
            yLabel="cost"
            format={money}
            dashed={['baseline']}
            range={[Math.floor(Date.parse(data.window.from) / 1000), Math.ceil(Date.parse(data.window.to) / 1000)]}
          />
          {data.routes.map((r) => (
            <RouteSavings key={r.route} r={r} />
          ))}
        </>
      ) : (
        <p>Loading…</p>
      )}
    </>
  );
}
