import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startMockTritonGrpc, type MockTriton } from '@switchboard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interopPython, interopScript } from '../helpers/python.js';

// No real Triton runs here (PyPI's tritonserver wheels are not installable),
// and kserve has no decoupled streaming; the gateway's streaming tests use a
// grpc-js simulation, so NVIDIA's own client checks that simulation speaks
// Triton's protocol the way Triton does.
describe("the simulated Triton gRPC server, driven by NVIDIA's tritonclient", () => {
  let triton: MockTriton;
  beforeAll(async () => {
    triton = await startMockTritonGrpc();
  });
  afterAll(() => triton.close());

  it('serves health, metadata, config, decoupled streaming and ModelInfer as tritonclient expects', async () => {
    const { stdout } = await promisify(execFile)(
      interopPython(),
      [interopScript('tritonclient_check.py'), `127.0.0.1:${triton.port}`],
      {
        timeout: 60_000,
      },
    );
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report).toEqual({
      live: true,
      ready: true,
      model_ready: true,
      inputs: [
        ['text_input', 'BYTES', [-1, 1]],
        ['max_tokens', 'INT32', [-1, 1]],
        ['stream', 'BOOL', [-1, 1]],
        ['temperature', 'FP32', [-1, 1]],
        ['top_p', 'FP32', [-1, 1]],
        ['stop_words', 'BYTES', [-1, -1]],
      ],
      outputs: [['text_output', 'BYTES']],
      decoupled: true,
      max_batch_size: 64,
      stream_pieces: ['Triton', ' says', ' hello'],
      final_id: 'tc-1',
      legacy: 'Triton says hello',
      invalid: {
        status: 'StatusCode.INVALID_ARGUMENT',
        message: expect.stringContaining("input 'text_input' is invalid") as unknown,
      },
    });
    expect(triton.requests.find((r) => r.method === 'ModelStreamInfer')?.inputs).toMatchObject({
      text_input: { values: ['Hi'], shape: [1, 1] },
      max_tokens: { values: [16] },
      stream: { values: [true] },
    });
  });
});
