import type { EvalReport } from '../commands/route-eval.js';
import { meanApgr } from '../commands/route-eval.js';
import { SOURCE_MIN_GAP, SOURCE_MIN_PROMPTS } from './by-source.js';
import type { Figures } from './figures.js';

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const withCi = (v: number, ci: [number, number], fmt: (x: number) => string) => `${fmt(v)} [${fmt(ci[0])}, ${fmt(ci[1])}]`;
const apgr = (f: Figures) => `${withCi(f.apgr, f.apgrCi, f3)}${f.apgrSd !== undefined ? ` ±${f3(f.apgrSd)}` : ''}`;
const gain = (f: Figures) => (f.gainOverLength ? `[${f3(f.gainOverLength[0])}, ${f3(f.gainOverLength[1])}]` : 'n/a');

/** A Markdown table of the report: per dataset, the pair, the oracle, the baselines and the router, with intervals. */
export function formatReport(r: EvalReport): string {
  const head = `${r.scheme}${r.adapt ? ` with ${r.adapt} prompts of each held-out group trained on (not scored)` : ''}; router \`${r.router}\` (${r.encoder}); 95% bootstrap intervals over ${r.resamples} resamples of the prompts${
    r.seeds.length > 1 ? `; ± = sd of the APGR over ${r.seeds.length} seeds` : ''
  }`;
  const lines = [
    head,
    '',
    '| dataset | n | strong / weak | oracle APGR | random APGR | length APGR | router APGR | router − length | router CPT(50%) | router CPT(80%) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.datasets.map((d) =>
      [
        '',
        d.dataset,
        d.n,
        `${d.pair.strong} / ${d.pair.weak}`,
        f3(d.oracle.apgr),
        apgr(d.random),
        apgr(d.length),
        apgr(d.router),
        gain(d.router),
        withCi(d.router.cpt50, d.router.cpt50Ci, pct),
        withCi(d.router.cpt80, d.router.cpt80Ci, pct),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ];
  const sourced = r.datasets.filter((d) => d.sources?.length);
  if (sourced.length)
    lines.push(
      '',
      `By source (each on its dataset's pair; sources of at least ${SOURCE_MIN_PROMPTS} prompts; "within" is the mean over the sources whose strong − weak is at least ${SOURCE_MIN_GAP}, weighted by their gain):`,
      '',
      '| dataset | source | n | strong − weak | gain share | length APGR | router APGR | router − length |',
      '|---|---|---|---|---|---|---|---|',
      ...sourced.flatMap((d) => [
        ...(d.sources ?? []).map((s) =>
          ['', d.dataset, s.source, s.n, f3(s.gap), pct(s.gainShare), apgr(s.length), apgr(s.router), gain(s.router), '']
            .join(' | ')
            .trim(),
        ),
        ...(d.withinSources
          ? [`| ${d.dataset} | within | | | | ${f3(d.withinSources.length)} | ${f3(d.withinSources.router)} | |`]
          : []),
      ]),
    );
  if (r.worst)
    lines.push(
      '',
      `worst dataset: ${r.worst.dataset} (router APGR ${f3(r.worst.apgr)}, router − length ${r.worst.gainOverLength ? `[${f3(r.worst.gainOverLength[0])}, ${f3(r.worst.gainOverLength[1])}]` : 'n/a'}); mean over datasets ${f3(meanApgr(r))}`,
    );
  return lines.join('\n');
}
