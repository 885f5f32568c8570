// Writes charts/switchboard/dashboards/switchboard.json, the Grafana
// dashboard for the gateway's Prometheus metrics (packages/gateway/src/
// metrics/metrics.ts). Part of `npm run generate`; CI checks it is committed.
import { writeFileSync } from 'node:fs';

const ds = { type: 'prometheus', uid: '${datasource}' };
const sel = 'route=~"$route"';
const genai = 'switchboard_route=~"$route"';
let id = 0;
const panel = (title, unit, targets, x, y, w = 12, h = 8, type = 'timeseries') => ({
  id: ++id,
  type,
  title,
  datasource: ds,
  gridPos: { x, y, w, h },
  fieldConfig: { defaults: { unit }, overrides: [] },
  options: type === 'timeseries' ? { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] } } : {},
  targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource: ds, expr, legendFormat })),
});
const quantiles = (metric, by, labels) =>
  ['0.5', '0.95', '0.99'].map((q) => [
    `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket{${labels}}[$__rate_interval])))`,
    `{{${by}}} p${Number(q) * 100}`,
  ]);

const panels = [
  panel(
    'Requests per second by route and status',
    'reqps',
    [[`sum by (route, status) (rate(switchboard_requests_total{${sel}}[$__rate_interval]))`, '{{route}} {{status}}']],
    0,
    0,
  ),
  panel(
    'Error rate (5xx and 429) by route',
    'percentunit',
    [
      [
        `sum by (route) (rate(switchboard_requests_total{${sel},status=~"5..|429"}[$__rate_interval])) / sum by (route) (rate(switchboard_requests_total{${sel}}[$__rate_interval]))`,
        '{{route}}',
      ],
    ],
    12,
    0,
  ),
  panel(
    'Routing decisions by backend',
    'reqps',
    [
      [
        `sum by (route, backend) (rate(switchboard_routing_decisions_total{${sel}}[$__rate_interval]))`,
        '{{route}} → {{backend}}',
      ],
    ],
    0,
    8,
  ),
  panel(
    'What the strategies decided',
    'reqps',
    [[`sum by (route, decision) (rate(switchboard_router_decisions_total{${sel}}[$__rate_interval]))`, '{{route}} {{decision}}']],
    12,
    8,
  ),
  panel(
    'Backend latency percentiles (send to last byte)',
    's',
    quantiles('gen_ai_client_operation_duration_seconds', 'switchboard_backend', genai),
    0,
    16,
  ),
  panel(
    'Time to first chunk p95 (streams)',
    's',
    [
      [
        `histogram_quantile(0.95, sum by (le, switchboard_backend) (rate(gen_ai_client_operation_time_to_first_chunk_seconds_bucket{${genai}}[$__rate_interval])))`,
        '{{switchboard_backend}}',
      ],
    ],
    12,
    16,
  ),
  panel(
    'Gateway overhead p50 / p99',
    's',
    [
      [
        `histogram_quantile(0.5, sum by (le) (rate(switchboard_gateway_overhead_seconds_bucket{${sel}}[$__rate_interval])))`,
        'p50',
      ],
      [
        `histogram_quantile(0.99, sum by (le) (rate(switchboard_gateway_overhead_seconds_bucket{${sel}}[$__rate_interval])))`,
        'p99',
      ],
    ],
    0,
    24,
  ),
  panel(
    'Tokens per second by type and backend',
    'short',
    [
      [
        `sum by (gen_ai_token_type, switchboard_backend) (rate(gen_ai_client_token_usage_sum{${genai}}[$__rate_interval]))`,
        '{{switchboard_backend}} {{gen_ai_token_type}}',
      ],
    ],
    12,
    24,
  ),
  panel(
    'Spend per hour by route and backend',
    'currencyUSD',
    [[`sum by (route, backend) (increase(switchboard_cost_total{${sel}}[1h]))`, '{{route}} {{backend}}']],
    0,
    32,
  ),
  panel(
    'Backends not healthy',
    'short',
    [
      [
        `sum by (route, backend, state) (switchboard_backend_health{${sel},state!="healthy"} == 1)`,
        '{{route}} {{backend}} {{state}}',
      ],
    ],
    12,
    32,
  ),
  panel(
    'In flight and queued (backends with a concurrency limit)',
    'short',
    [[`sum by (route, backend, kind) (switchboard_backend_in_flight{${sel}})`, '{{backend}} {{kind}}']],
    0,
    40,
  ),
  panel(
    'Retries, skips and exhausted retry budgets',
    'reqps',
    [
      [`sum by (backend, reason) (rate(switchboard_retries_total{${sel}}[$__rate_interval]))`, 'retry {{backend}} {{reason}}'],
      [
        `sum by (backend, reason) (rate(switchboard_backend_skipped_total{${sel}}[$__rate_interval]))`,
        'skipped {{backend}} {{reason}}',
      ],
      [`sum by (route) (rate(switchboard_retry_budget_exhausted_total{${sel}}[$__rate_interval]))`, 'budget exhausted {{route}}'],
    ],
    12,
    40,
  ),
  panel(
    'Refused by limits and budgets; limit store errors',
    'reqps',
    [
      ['sum by (scope, limit) (rate(switchboard_rate_limited_total[$__rate_interval]))', '{{scope}} {{limit}}'],
      ['sum by (mode) (rate(switchboard_limit_store_errors_total[$__rate_interval]))', 'store error ({{mode}})'],
    ],
    0,
    48,
  ),
  panel(
    'Feedback received by route',
    'reqps',
    [[`sum by (route) (rate(switchboard_feedback_total{${sel}}[$__rate_interval]))`, '{{route}}']],
    12,
    48,
  ),
  panel(
    'Collaboration runs by mode and outcome',
    'reqps',
    [
      [
        `sum by (route, mode, outcome) (rate(switchboard_collaboration_runs_total{${sel}}[$__rate_interval]))`,
        '{{route}} {{mode}} {{outcome}}',
      ],
    ],
    0,
    56,
  ),
  panel(
    'Collaboration: stage p95 and orchestration overhead p95',
    's',
    [
      [
        `histogram_quantile(0.95, sum by (le, mode, stage) (rate(switchboard_collaboration_stage_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
        'stage {{mode}} {{stage}}',
      ],
      [
        `histogram_quantile(0.95, sum by (le, mode) (rate(switchboard_collaboration_overhead_seconds_bucket{${sel}}[$__rate_interval])))`,
        'overhead {{mode}}',
      ],
    ],
    12,
    56,
  ),
  panel(
    'Prompt sampling records by route and outcome',
    'reqps',
    [[`sum by (route, outcome) (rate(switchboard_sampling_records_total{${sel}}[$__rate_interval]))`, '{{route}} {{outcome}}']],
    0,
    64,
  ),
];

const dashboard = {
  uid: 'switchboard-gateway',
  title: 'Switchboard gateway',
  tags: ['switchboard', 'llm'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
      {
        name: 'route',
        type: 'query',
        datasource: ds,
        query: { query: 'label_values(switchboard_requests_total, route)', refId: 'route' },
        definition: 'label_values(switchboard_requests_total, route)',
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
        label: 'Route',
      },
    ],
  },
  panels,
};

writeFileSync(
  new URL('../charts/switchboard/dashboards/switchboard.json', import.meta.url),
  `${JSON.stringify(dashboard, null, 2)}\n`,
);
