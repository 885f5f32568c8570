import { Health } from './share-bars.js';
import { count, figure, money, percent } from '../format.js';
import type { ExplainedBackend, Explanation } from '../types.js';

function Figures({ b }: { b: ExplainedBackend }) {
  const entries = Object.entries(b.figures);
  if (b.chanceFirst !== undefined) entries.push(['chance first', percent(b.chanceFirst)]);
  if (!entries.length) return <span class="muted">—</span>;
  return (
    <ul class="figures">
      {entries.map(([k, v]) => (
        <li key={k}>
          {k} = {figure(v)}
        </li>
      ))}
    </ul>
  );
}

function Notes({ notes }: { notes: Record<string, unknown> }) {
  const entries = Object.entries(notes);
  if (!entries.length) return null;
  return (
    <dl class="notes">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' ? <pre>{JSON.stringify(v, null, 1)}</pre> : figure(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Why this backend: the decision, the rules, every candidate with its figures, and the limits. */
export function ExplanationView({ x }: { x: Explanation }) {
  return (
    <section class="card explanation" aria-labelledby="why">
      <h2 id="why">
        Chosen: <output data-testid="chosen">{x.chosen ?? 'none'}</output>
      </h2>
      <p>
        Route <code>{x.route}</code> · strategy <strong>{x.strategy}</strong>
        {x.decision ? (
          <>
            {' '}
            · decision <strong>{x.decision}</strong>
          </>
        ) : null}
        {x.score !== null ? ` · score ${figure(x.score)}` : ''} · {x.outcome}
      </p>
      {x.askedModel ? (
        <p class="muted">The strategy asked its model (embeddings or a classifier) to decide; no backend was called.</p>
      ) : null}
      {x.rules.length ? (
        <ul aria-label="Rules">
          {x.rules.map((r) => (
            <li key={r.name}>
              rule <code>{r.name}</code> → {r.backend}: {r.matched ? 'matches' : 'does not match'}
            </li>
          ))}
        </ul>
      ) : null}
      <Notes notes={x.notes} />
      {x.runner ? <Notes notes={{ runner: x.runner }} /> : null}
      <table>
        <caption>Candidates, in the order the gateway would try them</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Backend</th>
            <th scope="col">Health</th>
            <th scope="col">Slot free</th>
            <th scope="col">Fits</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Cost: prompt / up to</th>
            <th scope="col">Strategy figures</th>
          </tr>
        </thead>
        <tbody>
          {[...x.backends]
            .sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))
            .map((b) => (
              <tr key={b.name}>
                <td>{b.rank ?? '—'}</td>
                <th scope="row">{b.name}</th>
                <td>
                  <Health state={b.health} />
                </td>
                <td>{b.concurrency.free ? 'yes' : 'no'}</td>
                <td>{b.skipped ? `no (${b.skipped})` : b.missing.length ? `lacks ${b.missing.join(', ')}` : 'yes'}</td>
                <td>{count(b.promptTokens)}</td>
                <td>{b.prices ? `${money(b.cost.prompt)} / ${money(b.cost.upTo)}` : 'no prices'}</td>
                <td>
                  <Figures b={b} />
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <p>
        Limits:{' '}
        {x.limits.storeUnavailable
          ? 'the limit store cannot be read'
          : x.limits.checked.length
            ? x.limits.checked
                .map((l) => `${l.scope} ${l.limit} ${count(l.used)}/${count(l.max)}${l.admits ? '' : ' (full)'}`)
                .join('; ')
            : 'none apply'}
        {x.limits.admitted ? '' : ' — the request would be refused.'}
      </p>
    </section>
  );
}
