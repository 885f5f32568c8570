import { getJson } from '../api.js';
import { Health } from '../components/share-bars.js';
import { count } from '../format.js';
import { usePoll } from '../hooks.js';
import type { LimitPreview, Overview, RouteInfo } from '../types.js';

function Limits({ route }: { route: RouteInfo }) {
  if (!route.limits) return <p class="muted">No route-wide limits.</p>;
  if (route.limitsInUse === 'unavailable') return <p class="warn">The limit store cannot be read right now.</p>;
  return (
    <ul class="limits">
      {route.limitsInUse.map((l: LimitPreview) => (
        <li key={l.limit}>
          {l.limit}: {count(l.used)} of {count(l.max)} used this minute
        </li>
      ))}
    </ul>
  );
}

function RouteCard({ route }: { route: RouteInfo }) {
  return (
    <section class="card" aria-labelledby={`route-${route.id}`}>
      <h2 id={`route-${route.id}`}>{route.id}</h2>
      <p>
        Models <code>{route.models.join(', ')}</code> · strategy <strong>{route.strategy}</strong>
      </p>
      <Limits route={route} />
      <table>
        <caption class="sr-only">Backends of {route.id}</caption>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Model</th>
            <th scope="col">Health</th>
            <th scope="col">Ejections</th>
            <th scope="col">In flight</th>
            <th scope="col">Priority / weight</th>
            <th scope="col">Price in / out per 1M</th>
          </tr>
        </thead>
        <tbody>
          {route.backends.map((b) => (
            <tr key={b.name}>
              <th scope="row">{b.name}</th>
              <td>
                {b.provider} · <code>{b.model}</code>
              </td>
              <td>
                <Health state={b.health} />
              </td>
              <td>{b.ejections}</td>
              <td>
                {b.concurrency.active}
                {b.concurrency.max !== null ? ` / ${b.concurrency.max}` : ''}
                {b.concurrency.queued ? ` (+${b.concurrency.queued} queued)` : ''}
              </td>
              <td>
                {b.priority} / {b.weight}
              </td>
              <td>{b.prices ? `${b.prices.input} / ${b.prices.output}` : <span class="warn">no prices</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Routes and backends: health, ejections, concurrency and limits in use (refreshed every 5 s). */
export function OverviewPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const { data, error } = usePoll(() => getJson<Overview>('/console/api/overview'), 5000, [], onUnauthorized);
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      <h1>Routes and backends</h1>
      <p class="muted">
        Configuration version {data.configVersion} · {data.routes.length} routes · savings{' '}
        {data.savings ? `counted (${data.savings})` : 'off'} · tracing {data.tracing ? 'on' : 'off'} · prompt capture{' '}
        {data.captureContent ? 'on' : 'off'}
      </p>
      {data.routes.map((r) => (
        <RouteCard key={r.id} route={r} />
      ))}
    </>
  );
}
