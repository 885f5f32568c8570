import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readDataset, type ScoredPrompt } from './dataset.js';

/** A label map file: `{"labels": {"<source>": "<label>", ...}}` (e.g. data/router/mmlu-families.json). */
export function readLabelMap(file: string): Record<string, string> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { labels?: Record<string, string> };
  if (!json.labels || typeof json.labels !== 'object') throw new Error(`${file}: expected {"labels": {"<source>": "<label>"}}`);
  return json.labels;
}

/**
 * Data files carrying the label field: as they are, or (with a label map)
 * copies in a temporary folder where each row gets `field` from its source.
 * The native trainer reads files, so the labels must be in them.
 */
export function labelledFiles(files: string[], field: string, mapFile: string | undefined): { files: string[]; cleanup(): void } {
  if (!mapFile) return { files, cleanup: () => undefined };
  const map = readLabelMap(mapFile);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-labels-'));
  const out = files.map((file, i) => {
    const rows = readDataset([file]).map((row) => {
      const label = map[row.source];
      if (label === undefined) throw new Error(`${file}: source "${row.source}" has no label in ${mapFile}`);
      return JSON.stringify({ ...row, [field]: label });
    });
    const target = join(dir, `${i}-${basename(file)}`);
    writeFileSync(target, rows.join('\n') + '\n');
    return target;
  });
  return { files: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each row's label (from the field, or via the map); undefined where it has none. */
export function labelsOf(rows: readonly ScoredPrompt[], field: string, mapFile: string | undefined): (string | undefined)[] {
  const map = mapFile ? readLabelMap(mapFile) : undefined;
  return rows.map((row) => {
    if (map) return map[row.source];
    const v = (row as unknown as Record<string, unknown>)[field];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  });
}
