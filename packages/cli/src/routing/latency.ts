import type { NativeRouter } from '@switchboard/native';

/** p50 / p99 of one decision (`router.score`: tokenize, encode, score), in microseconds. */
export interface Latency {
  bytes: number;
  p50Us: number;
  p99Us: number;
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

/** Prompts of about `bytes` bytes, made by joining consecutive sample prompts. */
export function promptsOfSize(samples: readonly string[], bytes: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count && samples.length; i++) {
    let text = '';
    for (let j = i; Buffer.byteLength(text) < bytes; j++) text += `${samples[j % samples.length]}\n`;
    out.push(text.slice(0, bytes));
  }
  return out;
}

/**
 * Decision latency of a router on 200 B, 2 KB and 20 KB prompts built from `samples`, after a
 * warm-up. A measurement for the model card, not a test: it depends on the machine.
 */
export function decisionLatency(router: NativeRouter, samples: readonly string[], rounds = 300): Latency[] {
  return [200, 2048, 20480].map((bytes) => {
    const texts = promptsOfSize(samples, bytes, 32);
    for (let i = 0; i < 20; i++) router.score(texts[i % texts.length] as string);
    const times = new Float64Array(rounds);
    for (let i = 0; i < rounds; i++) {
      const t0 = process.hrtime.bigint();
      router.score(texts[i % texts.length] as string);
      times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    times.sort();
    return { bytes, p50Us: quantile(times, 0.5), p99Us: quantile(times, 0.99) };
  });
}

export function formatLatency(rows: readonly Latency[]): string {
  const us = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(1)} µs`);
  const size = (b: number) => (b >= 1024 ? `${Math.round(b / 1024)} KB` : `${b} B`);
  return [
    '| prompt | p50 | p99 |',
    '|---|---|---|',
    ...rows.map((r) => `| ${size(r.bytes)} | ${us(r.p50Us)} | ${us(r.p99Us)} |`),
  ].join('\n');
}
