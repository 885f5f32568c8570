import { readFileSync } from 'node:fs';
import { loadTokenizer } from '@switchboard/native';
import type { ScoredPrompt } from './dataset.js';

export interface Price {
  /** US dollars per million tokens. */
  input: number;
  output: number;
  kind?: string;
}

/** A prices file (data/router/prices.json): `{"models": {"<model>": {"input": $, "output": $}}}`. */
export function readPrices(file: string): Map<string, Price> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { models?: Record<string, Price> };
  if (!json.models) throw new Error(`${file}: expected {"models": {"<model>": {"input": ..., "output": ...}}}`);
  return new Map(Object.entries(json.models));
}

/**
 * Dollar cost of each model's answer to each prompt: prompt tokens
 * (o200k_base) at the input price plus the answer's length (output_chars / 4
 * tokens, the data's own measure of each model's answer) at the output price.
 * Rows are prompts, columns follow `models`.
 */
export function costMatrix(data: readonly ScoredPrompt[], models: readonly string[], prices: Map<string, Price>): number[][] {
  for (const m of models) if (!prices.has(m)) throw new Error(`no price for model "${m}" in the prices file`);
  const tokenizer = loadTokenizer('o200k_base');
  return data.map((d) => {
    const promptTokens = tokenizer.count(d.prompt);
    return models.map((m) => {
      const p = prices.get(m) as Price;
      const out = (d.output_chars?.[m] ?? 0) / 4;
      return (promptTokens * p.input + out * p.output) / 1e6;
    });
  });
}
