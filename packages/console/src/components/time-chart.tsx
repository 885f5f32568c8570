import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartProps {
  title: string;
  /** x values: seconds since the epoch for time charts, plain numbers otherwise. */
  x: number[];
  series: ChartSeries[];
  yLabel: string;
  time?: boolean;
  xLabel?: string;
  format?: (v: number) => string;
  dashed?: string[];
  /** The x axis from..to (a time window), rather than just the data's extent. */
  range?: [number, number];
}

const COLORS = ['#1f6fb2', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#0b7285', '#5c940d', '#862e9c', '#495057'];

/**
 * A uPlot line chart with an accessible fallback: the figure is labelled,
 * and the same numbers are in a table under "Data" for screen readers and
 * keyboard users.
 */
export function TimeChart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !p.x.length) return;
    const fmt = p.format ?? ((v: number) => String(v));
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth || 640),
        height: 220,
        scales: { x: { time: p.time ?? true, ...(p.range ? { range: () => p.range as [number, number] } : {}) } },
        axes: [{ label: p.xLabel ?? '' }, { label: p.yLabel, values: (_u, vals) => vals.map((v) => fmt(v)) }],
        series: [
          { label: p.xLabel ?? 'time' },
          ...p.series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length] as string,
            width: 2,
            points: { show: true, size: 5 },
            spanGaps: true,
            ...(p.dashed?.includes(s.label) ? { dash: [6, 4] } : {}),
          })),
        ],
      },
      [p.x, ...p.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [p.x, p.series, p.title, p.range]);
  const fmt = p.format ?? ((v: number) => String(v));
  return (
    <figure class="chart" aria-label={p.title}>
      <figcaption>{p.title}</figcaption>
      {p.x.length ? <div ref={box} class="chart-box" data-chart={p.title} /> : <p class="muted">No data yet.</p>}
      <details>
        <summary>Data ({p.title})</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{p.time === false ? (p.xLabel ?? 'x') : 'time'}</th>
              {p.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.x.map((x, i) => (
              <tr key={x}>
                <td>{p.time === false ? fmt(x) : new Date(x * 1000).toLocaleTimeString('en-GB')}</td>
                {p.series.map((s) => (
                  <td key={s.label}>{s.values[i] === null || s.values[i] === undefined ? '—' : fmt(s.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
