import { nonNegative, parseOptions, UsageError } from './args.js';
import type { Command } from './command.js';

const options = {
  protocol: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  model: { type: 'string' },
  'latency-ms': { type: 'string' },
  'ttft-ms': { type: 'string' },
  'tokens-per-second': { type: 'string' },
  'completion-tokens': { type: 'string' },
  'error-rate': { type: 'string' },
  'error-status': { type: 'string' },
  'retry-after': { type: 'string' },
  'cut-after-bytes': { type: 'string' },
  malformed: { type: 'boolean' },
  'no-usage': { type: 'boolean' },
  'piece-delay-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const mockBackendCommand: Command = {
  name: 'mock-backend',
  summary: 'a simulated OpenAI-compatible backend (fault injection) or NVIDIA Triton',
  help: `Usage:
  switchboard mock-backend [--port 9000] [--host 127.0.0.1] [--model NAME] [--latency-ms 0]
                    [--ttft-ms 0] [--tokens-per-second 0] [--completion-tokens 16]
                    [--error-rate 0] [--error-status 500] [--retry-after SECONDS]
                    [--cut-after-bytes N] [--malformed] [--no-usage]
      An OpenAI-compatible simulated backend, with fault injection.
  switchboard mock-backend --protocol triton-grpc|triton-http [--port 8001] [--host 127.0.0.1]
                    [--piece-delay-ms 0]
      A simulated NVIDIA Triton: KServe v2 gRPC (models "ensemble", decoupled
      TensorRT-LLM style, and "legacy", INPUT_0/OUTPUT_0) or the HTTP generate
      extension (model "ensemble").
`,
  async run(args, { log }) {
    const v = parseOptions('mock-backend', options, args);
    const host = v.host ?? '127.0.0.1';
    const { mockBackend, mockTriton } = await import('../commands/mock-backend.js');
    if (v.protocol === 'triton-grpc' || v.protocol === 'triton-http') {
      const port = nonNegative(v.port, 8001, 'port');
      return mockTriton(v.protocol, { port, host, pieceDelayMs: nonNegative(v['piece-delay-ms'], 0, 'piece-delay-ms') }, log);
    }
    if (v.protocol !== undefined && v.protocol !== 'openai') {
      throw new UsageError(`--protocol must be openai, triton-grpc or triton-http, got "${v.protocol}"`);
    }
    const cut = v['cut-after-bytes'];
    return mockBackend(
      {
        port: nonNegative(v.port, 9000, 'port'),
        host,
        ...(v.model ? { model: v.model } : {}),
        latencyMs: nonNegative(v['latency-ms'], 0, 'latency-ms'),
        ttftMs: nonNegative(v['ttft-ms'], 0, 'ttft-ms'),
        tokensPerSecond: nonNegative(v['tokens-per-second'], 0, 'tokens-per-second'),
        completionTokens: nonNegative(v['completion-tokens'], 16, 'completion-tokens'),
        errorRate: nonNegative(v['error-rate'], 0, 'error-rate'),
        errorStatus: nonNegative(v['error-status'], 500, 'error-status'),
        usage: !v['no-usage'],
        retryAfter: v['retry-after'],
        cutAfterBytes: cut === undefined ? undefined : nonNegative(cut, 0, 'cut-after-bytes'),
        malformed: Boolean(v.malformed),
      },
      log,
    );
  },
};
