// Added latency of the gateway's Triton gRPC path (KServe v2 ModelInfer /
// ModelStreamInfer) against its Triton HTTP generate path, each measured
// over a direct call to an equivalent local simulated Triton.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { GRPCInferenceService } from '../../packages/gateway/dist/index.js';
import { freePort, load, pct, spawnCli, startCli, stop, table } from './lib.js';

const fmt = (ms) => `${ms.toFixed(3)} ms`;

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port}`);
}

const TEXT_INPUT = (name, text) => ({ name, datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from(text)] } });

/** Closed-loop gRPC load straight at the simulated Triton (the baseline). */
async function loadGrpc(port, { stream, concurrency, requests }) {
  const client = new GRPCInferenceService.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const latencies = new Float64Array(requests);
  let next = 0;
  const one = () =>
    stream
      ? new Promise((resolve, reject) => {
          const call = client.ModelStreamInfer();
          let first;
          call.on('data', () => (first ??= performance.now()));
          call.on('error', reject);
          call.on('end', () => resolve(first));
          call.write({
            model_name: 'ensemble',
            inputs: [{ ...TEXT_INPUT('text_input', 'Hi'), shape: [1, 1] }],
            parameters: [{ key: 'triton_enable_empty_final_response', value: { bool_param: true } }],
          });
          call.end();
        })
      : new Promise((resolve, reject) =>
          client.ModelInfer({ model_name: 'legacy', inputs: [TEXT_INPUT('INPUT_0', 'Hi')] }, (err) =>
            err ? reject(err) : resolve(undefined),
          ),
        );
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        const first = await one();
        latencies[i] = (first ?? performance.now()) - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  client.close();
  return { latencies: Array.from(latencies).sort((a, b) => a - b), rps: requests / seconds };
}

export async function benchGrpc({ quick = false } = {}) {
  const n1 = quick ? 1000 : 3000;
  const n64 = quick ? 4000 : 20000;
  const [grpcPort, httpPort, gwPort] = [await freePort(), await freePort(), await freePort()];
  const spawnMock = async (protocol, port) => {
    const child = spawnCli(['mock-backend', '--protocol', protocol, '--port', String(port)]);
    await waitForPort(port);
    return child;
  };
  const mocks = [await spawnMock('triton-grpc', grpcPort), await spawnMock('triton-http', httpPort)];
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-grpc-'));
  // trt-grpc: a non-decoupled model (ModelInfer); trt-grpc-stream: a decoupled TensorRT-LLM-style
  // ensemble (ModelStreamInfer); trt-http: the same ensemble over HTTP generate / generate_stream.
  const route = (name, endpoint, model) => `apiVersion: switchboard.dev/v1alpha1
kind: LLMRoute
metadata: { name: ${name} }
spec:
  backends:
    - { name: trt, provider: triton, endpoint: "${endpoint}", model: ${model}, chatTemplate: chatml }
`;
  await writeFile(
    join(dir, 'routes.yaml'),
    [
      route('trt-grpc', `grpc://127.0.0.1:${grpcPort}`, 'legacy'),
      route('trt-grpc-stream', `grpc://127.0.0.1:${grpcPort}`, 'ensemble'),
      route('trt-http', `http://127.0.0.1:${httpPort}`, 'ensemble'),
    ].join('---\n'),
  );
  const gw = await startCli(
    ['serve', '--routes', dir, '--no-auth', '--port', String(gwPort), '--host', '127.0.0.1'],
    `http://127.0.0.1:${gwPort}/readyz`,
  );
  const gateway = `http://127.0.0.1:${gwPort}`;
  const body = (model, stream) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], stream });
  const rows = [
    ['path', 'mode', 'conc', 'direct p50', 'gateway p50', 'added p50', 'direct p99', 'gateway p99', 'added p99', 'gateway rps'],
  ];
  try {
    for (const stream of [false, true]) {
      for (const concurrency of [1, 64]) {
        const requests = concurrency === 1 ? n1 : n64;
        const measure = async (kind) => {
          const model = stream && kind === 'grpc' ? 'trt-grpc-stream' : `trt-${kind}`;
          const directRun = () =>
            kind === 'grpc'
              ? loadGrpc(grpcPort, { stream, concurrency, requests })
              : load(`http://127.0.0.1:${httpPort}`, {
                  path: `/v2/models/ensemble/${stream ? 'generate_stream' : 'generate'}`,
                  body: JSON.stringify({ text_input: 'Hi', max_tokens: 16, stream }),
                  concurrency,
                  requests,
                  ttft: stream,
                });
          const gatewayRun = () =>
            load(gateway, { path: '/v1/chat/completions', body: body(model, stream), concurrency, requests, ttft: stream });
          await directRun();
          await gatewayRun(); // warm-up: JIT, connections, model metadata
          const d = await directRun();
          const g = await gatewayRun();
          rows.push([
            kind,
            stream ? 'stream (TTFT)' : 'non-stream',
            concurrency,
            fmt(pct(d.latencies, 50)),
            fmt(pct(g.latencies, 50)),
            fmt(pct(g.latencies, 50) - pct(d.latencies, 50)),
            fmt(pct(d.latencies, 99)),
            fmt(pct(g.latencies, 99)),
            fmt(pct(g.latencies, 99) - pct(d.latencies, 99)),
            Math.round(g.rps),
          ]);
        };
        await measure('grpc');
        await measure('http');
      }
    }
  } finally {
    await stop(gw);
    for (const m of mocks) await stop(m);
    await rm(dir, { recursive: true, force: true });
  }
  console.log('\n## Triton: gateway over gRPC (KServe v2) vs over HTTP generate, simulated Triton behind both (1 worker)\n');
  console.log(table(rows));
}
