import { readFileSync } from 'node:fs';

/** One scored prompt (DESIGN.md section 5). */
export interface ScoredPrompt {
  id: string;
  prompt: string;
  source: string;
  scores: Record<string, number>;
  /** AlpacaEval rows: each model's answer length in characters. */
  output_chars?: Record<string, number>;
  /** A conversation (sampled or labelled chat): its messages, `prompt` the last user message. */
  messages?: { role?: unknown }[];
}

/** Reads JSON Lines files in order (the order the native trainer reads them in). */
export function readDataset(files: string[]): ScoredPrompt[] {
  const out: ScoredPrompt[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        try {
          out.push(JSON.parse(line) as ScoredPrompt);
        } catch (err) {
          throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
        }
      });
  }
  return out;
}

/** Each prompt's score for `model`; throws naming the first prompt without one. */
export function scoresOf(data: ScoredPrompt[], model: string): number[] {
  return data.map((d) => {
    const s = d.scores[model];
    if (typeof s !== 'number') {
      const known = Object.keys(d.scores).join(', ');
      throw new Error(`prompt ${d.id} has no score for model "${model}" (it has: ${known})`);
    }
    return s;
  });
}
