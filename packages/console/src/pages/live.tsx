import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, Unauthorized } from '../api.js';
import { clock, count, figure, money, ms } from '../format.js';
import type { Decision } from '../types.js';

const KEEP = 200;

/** Recent decisions of this replica, newest first, polled every 2 s (prompt text only with prompt capture on). */
export function LivePage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [rows, setRows] = useState<Decision[]>([]);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const last = useRef(0);
  useEffect(() => {
    if (paused) return;
    const poll = () =>
      getJson<{ decisions: Decision[]; last: number }>(`/console/api/decisions?after=${last.current}`).then(
        (d) => {
          last.current = d.last;
          if (d.decisions.length) setRows((old) => [...d.decisions.reverse(), ...old].slice(0, KEEP));
          setError(undefined);
        },
        (err: unknown) => (err instanceof Unauthorized ? onUnauthorized() : setError((err as Error).message)),
      );
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => clearInterval(timer);
  }, [paused, onUnauthorized]);
  const withPrompts = rows.some((r) => r.prompt !== undefined);
  return (
    <>
      <h1>Live decisions</h1>
      <p class="row">
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <span role="status">
          {rows.length} shown{rows[0] ? `, latest at ${clock(rows[0].at)}` : ''}
        </span>
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <table class="live">
        <caption class="sr-only">Recent decisions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Route</th>
            <th scope="col">Decision</th>
            <th scope="col">Backend</th>
            <th scope="col">Score</th>
            <th scope="col">Status</th>
            <th scope="col">Latency</th>
            <th scope="col">Tokens in / out</th>
            <th scope="col">Cost</th>
            <th scope="col">Tenant</th>
            {withPrompts ? <th scope="col">Prompt</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.seq} class={d.status >= 400 ? 'failed' : ''}>
              <td>{clock(d.at)}</td>
              <td>{d.route}</td>
              <td>{d.decision ?? '—'}</td>
              <td>{d.backend ?? '—'}</td>
              <td>{d.score === null ? '—' : figure(d.score)}</td>
              <td>{d.status}</td>
              <td>{ms(d.latencyMs)}</td>
              <td>
                {count(d.promptTokens)} / {count(d.completionTokens)}
              </td>
              <td>{money(d.cost)}</td>
              <td>{d.tenant}</td>
              {withPrompts ? <td class="prompt">{d.prompt ?? ''}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
