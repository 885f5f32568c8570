import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GatewayMetrics, RouteStates } from '@switchboard/gateway';
import { describe, expect, it } from 'vitest';
import { kubeTools, ROOT } from '../helpers/kube.js';

const run = promisify(execFile);
const CHART = join(ROOT, 'charts/switchboard');

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

/** The metric names an expression reads (a name followed by its selector or range; histograms by their base name). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:switchboard|gen_ai)_[a-z_]+)(?=[{[])/g)].map((m) =>
    (m[1] as string).replace(/_(bucket|sum|count)$/, ''),
  );
}

describe('the Grafana dashboard', () => {
  it('reads only metrics the gateway exports, and every gateway metric has a panel', async () => {
    const dashboard = JSON.parse(await readFile(join(CHART, 'dashboards/switchboard.json'), 'utf8')) as Dashboard;
    const metrics = new GatewayMetrics();
    metrics.watchHealth(new RouteStates());
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))));
    expect([...used].filter((m) => !exported.has(m))).toEqual([]);
    expect([...exported].filter((m) => !used.has(m))).toEqual([]);
  });

  it('ships in the chart as a ConfigMap with the sidecar label, off by default', async () => {
    const { helm } = kubeTools();
    const off = (await run(helm, ['template', 's', CHART])).stdout;
    expect(off).not.toContain('grafana_dashboard');
    const on = (
      await run(helm, [
        'template',
        's',
        CHART,
        '--set',
        'grafanaDashboard.enabled=true',
        '--show-only',
        'templates/dashboard-configmap.yaml',
      ])
    ).stdout;
    expect(on).toMatch(/grafana_dashboard: "1"/);
    const json = on.split('switchboard.json: |-\n')[1] ?? '';
    const parsed = JSON.parse(json.replace(/^ {4}/gm, '')) as Dashboard;
    expect(parsed.panels.length).toBeGreaterThan(10);
  });

  it('tracing and the console as chart values: OTEL_* variables, --console with the admin key from a Secret', async () => {
    const { helm } = kubeTools();
    const args = ['template', 's', CHART, '--show-only', 'templates/deployment.yaml'];
    const out = (
      await run(helm, [
        ...args,
        '--set',
        'tracing.enabled=true,tracing.endpoint=http://otel:4318,console.enabled=true,admin.secretName=sb-admin',
      ])
    ).stdout;
    expect(out).toContain('OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel:4318"');
    expect(out).toContain('- --console');
    expect(out).toMatch(/SWITCHBOARD_ADMIN_KEY\n\s+valueFrom: \{ secretKeyRef: \{ name: sb-admin, key: adminKey \} \}/);
    expect((await run(helm, args)).stdout).not.toMatch(/OTEL_|--console/);
    await expect(run(helm, [...args, '--set', 'console.enabled=true'])).rejects.toThrow(/admin\.secretName/);
  });
});
