import { percent } from '../format.js';

/** Shares as horizontal bars: a chart that needs no canvas, readable as text too. */
export function ShareBars({ label, items }: { label: string; items: { name: string; share: number; detail?: string }[] }) {
  return (
    <figure class="bars" aria-label={label}>
      <figcaption>{label}</figcaption>
      <ul>
        {items.map((it) => (
          <li key={it.name}>
            <span class="bar-name">{it.name}</span>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${Math.max(0, Math.min(1, it.share)) * 100}%` }} />
            </span>
            <span class="bar-value">
              {percent(it.share)}
              {it.detail ? ` · ${it.detail}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** A backend's health as text with a colour (never colour alone). */
export function Health({ state }: { state: string }) {
  return <span class={`health health-${state}`}>{state}</span>;
}
