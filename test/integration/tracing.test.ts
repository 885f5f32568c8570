import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess } from '../helpers/cli-process.js';
import { eventually } from '../helpers/harness.js';
import { attr, startCollector, type Collector, type OtlpSpan } from '../helpers/otel-collector.js';

// Traces received by a real OpenTelemetry Collector (file exporter), from
// the gateway as a child process, with the W3C trace context checked at a
// simulated backend whose first backend always fails (so a failover shows).

interface Backend {
  url: string;
  seen: { path: string; headers: IncomingHttpHeaders }[];
  server: Server;
}

/** An OpenAI-compatible backend that answers 500 on /flaky/ and a chat completion on /good/, recording headers. */
async function backend(): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      if (req.url?.startsWith('/flaky/')) {
        res.statusCode = 500;
        res.end('{"error":{"message":"down"}}');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'good-model-2025',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Secret answer text' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

let collector: Collector;
let be: Backend;
let dir: string;

beforeAll(async () => {
  collector = await startCollector();
  be = await backend();
  dir = await mkdtemp(join(tmpdir(), 'switchboard-tracing-'));
  await writeFile(
    join(dir, 'r.yaml'),
    `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: traced }
spec:
  backends:
    - { name: flaky, provider: openai-compatible, endpoint: "${be.url}/flaky/v1", model: flaky-model }
    - { name: good, provider: openai, endpoint: "${be.url}/good/v1", model: good-model, priority: 1 }
`,
  );
}, 60_000);

afterAll(async () => {
  await collector.stop();
  be.server.close();
  await rm(dir, { recursive: true, force: true });
});

const ask = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'traced', max_tokens: 20, messages: [{ role: 'user', content: 'Secret prompt text' }] }),
  });

async function spansOf(trace: string, count: number): Promise<OtlpSpan[]> {
  let spans: OtlpSpan[] = [];
  await eventually(async () => {
    spans = (await collector.spans()).filter((s) => s.traceId === trace);
    return spans.length >= count;
  }, 30_000);
  return spans;
}

describe('OpenTelemetry traces', () => {
  it('a SERVER span under the client’s traceparent, a routing span, a CLIENT span per attempt; context sent on', async () => {
    const gw = await serveProcess(['--routes', dir, '--no-auth'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_SERVICE_NAME: 'sb-test',
    });
    be.seen.length = 0;
    const res = await ask(gw.url, { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchboard-backend')).toBe('good');
    await gw.stop(); // shutdown flushes the batch
    const spans = await spansOf(TRACE, 4);
    const server = spans.find((s) => s.kind === 2) as OtlpSpan;
    expect(server.parentSpanId).toBe(CLIENT_SPAN);
    expect(server.name).toBe('chat traced');
    expect([
      attr(server, 'gen_ai.operation.name'),
      attr(server, 'gen_ai.request.model'),
      attr(server, 'gen_ai.response.model'),
    ]).toEqual(['chat', 'traced', 'good-model-2025']);
    expect([attr(server, 'gen_ai.usage.input_tokens'), attr(server, 'gen_ai.usage.output_tokens')]).toEqual([12, 5]);
    expect([attr(server, 'gen_ai.provider.name'), attr(server, 'gen_ai.request.max_tokens')]).toEqual(['openai', 20]);
    expect([
      attr(server, 'switchboard.route'),
      attr(server, 'switchboard.backend'),
      attr(server, 'http.response.status_code'),
    ]).toEqual(['default/traced', 'good', 200]);
    const routing = spans.find((s) => s.name === 'routing priority') as OtlpSpan;
    expect(routing.parentSpanId).toBe(server.spanId);
    expect([
      attr(routing, 'switchboard.strategy'),
      attr(routing, 'switchboard.backend'),
      attr(routing, 'switchboard.ranking'),
    ]).toEqual(['priority', 'flaky', ['flaky', 'good']]);
    const attempts = spans
      .filter((s) => s.kind === 3)
      .sort((a, b) => (attr(a, 'switchboard.attempt') as number) - (attr(b, 'switchboard.attempt') as number));
    expect(
      attempts.map((a) => [attr(a, 'switchboard.backend'), attr(a, 'switchboard.outcome'), attr(a, 'http.response.status_code')]),
    ).toEqual([
      ['flaky', 'retry', 502],
      ['good', 'answered', 200],
    ]);
    expect(attr(attempts[0]!, 'switchboard.retry_reason')).toBe('5xx');
    expect(attempts[0]!.status?.code).toBe(2);
    expect(attempts.every((a) => a.parentSpanId === server.spanId)).toBe(true);
    expect([attr(attempts[1]!, 'gen_ai.request.model'), attr(attempts[1]!, 'server.address')]).toEqual([
      'good-model',
      '127.0.0.1',
    ]);
    // Each backend call carried its own attempt span as parent, in the client's trace.
    expect(be.seen.map((s) => s.headers.traceparent)).toEqual(attempts.map((a) => `00-${TRACE}-${a.spanId}-01`));
    // No prompt or completion text unless content capture is on.
    expect(JSON.stringify(spans)).not.toContain('Secret');
  });

  it('with content capture on, the prompt and the completion are recorded', async () => {
    const gw = await serveProcess(['--routes', dir, '--no-auth', '--capture-prompts'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    });
    const trace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
    expect((await ask(gw.url, { traceparent: `00-${trace}-${CLIENT_SPAN}-01` })).status).toBe(200);
    await gw.stop();
    const spans = await spansOf(trace, 4);
    const server = spans.find((s) => s.kind === 2) as OtlpSpan;
    expect(attr(server, 'gen_ai.input.messages')).toContain('Secret prompt text');
    const answered = spans.find((s) => attr(s, 'switchboard.outcome') === 'answered') as OtlpSpan;
    expect(attr(answered, 'gen_ai.output.messages')).toContain('Secret answer text');
  });

  it('off by default: nothing is exported and no trace context reaches the backend', async () => {
    const before = (await collector.spans()).length;
    const gw = await serveProcess(['--routes', dir, '--no-auth']);
    be.seen.length = 0;
    expect((await ask(gw.url, { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` })).status).toBe(200);
    await gw.stop();
    expect(be.seen.every((s) => s.headers.traceparent === undefined)).toBe(true);
    expect((await collector.spans()).length).toBe(before);
  });
});
