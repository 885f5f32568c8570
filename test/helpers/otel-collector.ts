import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cli-process.js';
import { eventually } from './harness.js';

/** One span as the collector's file exporter writes it (OTLP JSON). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}

/** An attribute's value, whatever its OTLP JSON type. */
export function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if ('intValue' in v) return Number(v.intValue);
  if ('arrayValue' in v)
    return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map((x) => Object.values(x)[0]);
  return Object.values(v)[0];
}

export interface Collector {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the gateway (OTLP over HTTP). */
  endpoint: string;
  /** Every span the file exporter has written so far. */
  spans(): Promise<OtlpSpan[]>;
  stop(): Promise<void>;
}

function binary(): string {
  return (
    process.env.SWITCHBOARD_OTELCOL ?? execFileSync('bash', ['scripts/build-otel-collector.sh'], { encoding: 'utf8' }).trim()
  );
}

/**
 * A real OpenTelemetry Collector (built from Go modules by
 * scripts/build-otel-collector.sh): the OTLP/HTTP receiver on a free port
 * and the file exporter writing JSON lines to a temporary file.
 */
export async function startCollector(): Promise<Collector> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-otelcol-'));
  const port = await freePort();
  const out = join(dir, 'traces.jsonl');
  await writeFile(
    join(dir, 'config.yaml'),
    `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${port}" }
exporters:
  file: { path: "${out}", flush_interval: 100ms }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
`,
  );
  const child: ChildProcess = spawn(binary(), ['--config', `file:${join(dir, 'config.yaml')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`the collector exited: ${log}`);
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => undefined);
    return res !== undefined;
  }, 20_000);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async spans() {
      const text = await readFile(out, 'utf8').catch(() => '');
      const spans: OtlpSpan[] = [];
      for (const line of text.split('\n').filter(Boolean)) {
        const doc = JSON.parse(line) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
        for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      return spans;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
