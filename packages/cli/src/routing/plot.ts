import type { RouterEvaluation } from '@switchboard/native';

/** At most ~400 points of a curve, the last one always kept. */
function sampled(fr: number[], q: number[]): { fraction: number[]; quality: number[] } {
  const step = Math.max(1, Math.floor(fr.length / 400));
  const fraction: number[] = [];
  const quality: number[] = [];
  for (let i = 0; i < fr.length; i += step) {
    fraction.push(fr[i] ?? 0);
    quality.push(q[i] ?? 0);
  }
  fraction.push(fr.at(-1) ?? 1);
  quality.push(q.at(-1) ?? 0);
  return { fraction, quality };
}

/**
 * The curves as JSON inside the SVG's <metadata> (escaped for XML), so the
 * console's report page reads the same file the SVG viewer shows.
 */
function curveData(title: string, router: RouterEvaluation, oracle: RouterEvaluation | null): string {
  const figures = (e: RouterEvaluation) => ({ apgr: e.apgr, cpt50: e.cpt50, cpt80: e.cpt80, ...sampled(e.fraction, e.quality) });
  const data = {
    format: 'switchboard-eval-plot/1',
    title,
    n: router.n,
    weakMean: router.weakMean,
    strongMean: router.strongMean,
    router: figures(router),
    oracle: oracle ? figures(oracle) : null,
  };
  return JSON.stringify(data).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The cost-quality curve as a standalone SVG: quality against the share of
 * calls sent to the strong model, for the router, random routing (the
 * diagonal), the oracle, and the weak and strong models alone. The curves'
 * data ride along in <metadata id="switchboard-eval"> for the console.
 */
export function plotSvg(title: string, router: RouterEvaluation, oracle: RouterEvaluation | null): string {
  const [w, h, pad] = [640, 420, 56];
  const qs = [...router.quality, ...(oracle?.quality ?? [])];
  const lo = Math.min(...qs);
  const hi = Math.max(...qs);
  const x = (f: number) => pad + f * (w - 2 * pad);
  const y = (q: number) => h - pad - ((q - lo) / (hi - lo || 1)) * (h - 2 * pad);
  const path = (fr: number[], q: number[]) => {
    const s = sampled(fr, q);
    return `M${s.fraction.map((f, i) => `${x(f).toFixed(1)},${y(s.quality[i] ?? 0).toFixed(1)}`).join(' L')}`;
  };
  const line = (d: string, color: string, dash = '') =>
    `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  const hline = (q: number, color: string) => line(`M${x(0)},${y(q)} L${x(1)},${y(q)}`, color, '2 4');
  const esc = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
  const legend = [
    ['router', '#1f77b4'],
    ['random', '#7f7f7f'],
    ['oracle', '#2ca02c'],
    ['strong only', '#d62728'],
    ['weak only', '#ff7f0e'],
  ]
    .map(([name, color], i) => `<text x="${pad + 10}" y="${pad + 16 * i}" fill="${color}" font-size="12">${name}</text>`)
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${x(f)}" y="${h - pad + 18}" font-size="11" text-anchor="middle">${f * 100}%</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<metadata id="switchboard-eval">${curveData(title, router, oracle)}</metadata>
<rect width="100%" height="100%" fill="white"/>
<text x="${w / 2}" y="24" text-anchor="middle" font-size="14">${esc(title)}</text>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="black"/>
${ticks}
<text x="${w / 2}" y="${h - 12}" text-anchor="middle" font-size="12">calls to the strong model</text>
<text x="16" y="${h / 2}" transform="rotate(-90 16 ${h / 2})" text-anchor="middle" font-size="12">mean quality</text>
<text x="${pad - 6}" y="${y(lo)}" text-anchor="end" font-size="11">${lo.toFixed(3)}</text>
<text x="${pad - 6}" y="${y(hi)}" text-anchor="end" font-size="11">${hi.toFixed(3)}</text>
${hline(router.strongMean, '#d62728')}
${hline(router.weakMean, '#ff7f0e')}
${line(`M${x(0)},${y(router.weakMean)} L${x(1)},${y(router.strongMean)}`, '#7f7f7f', '6 4')}
${oracle ? line(path(oracle.fraction, oracle.quality), '#2ca02c') : ''}
${line(path(router.fraction, router.quality), '#1f77b4')}
${legend}
</svg>
`;
}
