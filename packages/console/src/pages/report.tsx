import { useState } from 'preact/hooks';
import { TimeChart } from '../components/time-chart.js';
import { percent } from '../format.js';

interface Curve {
  apgr: number;
  cpt50: number;
  cpt80: number;
  fraction: number[];
  quality: number[];
}

interface EvalPlot {
  format: string;
  title: string;
  n: number;
  weakMean: number;
  strongMean: number;
  router: Curve;
  oracle: Curve | null;
}

/** The data `switchboard eval --plot` puts in its SVG's <metadata id="switchboard-eval">. */
export function readPlot(svg: string): EvalPlot {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const text = doc.getElementById('switchboard-eval')?.textContent;
  if (!text)
    throw new Error('This SVG has no curve data: write it with `switchboard eval --plot FILE.svg` (this version or later).');
  const plot = JSON.parse(text) as EvalPlot;
  if (plot.format !== 'switchboard-eval-plot/1') throw new Error(`Unknown plot format "${plot.format}".`);
  return plot;
}

/** A curve's quality at share f of strong calls (linear between its points). */
function at(c: Curve, f: number): number {
  const i = c.fraction.findIndex((x) => x >= f);
  if (i <= 0) return c.quality[Math.max(0, i)] ?? 0;
  const [x0, x1, y0, y1] = [c.fraction[i - 1] ?? 0, c.fraction[i] ?? 1, c.quality[i - 1] ?? 0, c.quality[i] ?? 0];
  return x1 === x0 ? y1 : y0 + ((f - x0) / (x1 - x0)) * (y1 - y0);
}

function chart(p: EvalPlot) {
  const x = Array.from({ length: 101 }, (_, i) => i / 100);
  const series = [
    { label: 'router', values: x.map((f) => at(p.router, f)) },
    { label: 'random', values: x.map((f) => p.weakMean + f * (p.strongMean - p.weakMean)) },
    ...(p.oracle ? [{ label: 'oracle', values: x.map((f) => at(p.oracle as Curve, f)) }] : []),
    { label: 'strong only', values: x.map(() => p.strongMean) },
    { label: 'weak only', values: x.map(() => p.weakMean) },
  ];
  return { x, series };
}

/** Offline: opens an eval --plot SVG from this computer (nothing is uploaded) and draws its cost-quality curve. */
export function ReportPage() {
  const [plot, setPlot] = useState<EvalPlot | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const open = async (file: File | undefined) => {
    if (!file) return;
    try {
      setPlot(readPlot(await file.text()));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <h1>Router evaluation report</h1>
      <p class="muted">
        Open the SVG that <code>switchboard eval --plot FILE.svg</code> wrote. It is read in this page only.
      </p>
      <label>
        Evaluation plot (SVG){' '}
        <input
          type="file"
          name="plot"
          accept=".svg,image/svg+xml"
          onChange={(e) => void open((e.target as HTMLInputElement).files?.[0])}
        />
      </label>
      {error ? <p role="alert">{error}</p> : null}
      {plot ? (
        <>
          <h2>{plot.title}</h2>
          <table>
            <caption>{plot.n} prompts; APGR: area under the gap-recovered curve (random 0.5)</caption>
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col">APGR</th>
                <th scope="col">CPT(50 %)</th>
                <th scope="col">CPT(80 %)</th>
              </tr>
            </thead>
            <tbody>
              {[['router', plot.router] as const, ...(plot.oracle ? [['oracle', plot.oracle] as const] : [])].map(([name, c]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td data-testid={`apgr-${name}`}>{c.apgr.toFixed(3)}</td>
                  <td>{percent(c.cpt50)}</td>
                  <td>{percent(c.cpt80)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <TimeChart
            title="Quality against the share of calls to the strong model"
            {...chart(plot)}
            time={false}
            xLabel="calls to the strong model"
            yLabel="mean quality"
            format={(v) => v.toFixed(2)}
            dashed={['random', 'strong only', 'weak only']}
          />
        </>
      ) : null}
    </>
  );
}
