import { describe, expect, it } from 'vitest';
import { buildInferRequest, describeModel, splitBytesTensor, textOf } from './tensors.js';

const trtllm = {
  name: 'ensemble',
  inputs: [
    { name: 'text_input', datatype: 'BYTES', shape: [-1, 1] },
    { name: 'max_tokens', datatype: 'INT32', shape: [-1, 1] },
    { name: 'stop_words', datatype: 'BYTES', shape: [-1, -1] },
    { name: 'random_seed', datatype: 'UINT64', shape: [-1, 1] },
  ],
  outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [-1, -1] }],
};

describe('KServe v2 tensors', () => {
  it('finds the text input and output by TensorRT-LLM and legacy names', () => {
    const io = describeModel(trtllm, { config: { model_transaction_policy: { decoupled: true } } });
    expect([io.prompt.name, io.output.name, io.decoupled]).toEqual(['text_input', 'text_output', true]);
    const legacy = describeModel(
      {
        name: 'm',
        inputs: [{ name: 'INPUT_0', datatype: 'BYTES', shape: [1] }],
        outputs: [{ name: 'OUTPUT_0', datatype: 'BYTES', shape: [1] }],
      },
      undefined,
    );
    expect([legacy.prompt.name, legacy.output.name, legacy.decoupled]).toEqual(['INPUT_0', 'OUTPUT_0', false]);
  });

  it('rejects a model without a text input, naming what it has', () => {
    const meta = { name: 'resnet', inputs: [{ name: 'image', datatype: 'FP32', shape: [3, 224, 224] }], outputs: [] };
    expect(() => describeModel(meta, undefined)).toThrow(/model "resnet" has no text \(BYTES\) input .* \(inputs: image:FP32\)/);
  });

  it('sends only declared inputs, with the batch dimension and typed contents', () => {
    const io = describeModel(trtllm, undefined);
    const req = buildInferRequest(
      io,
      'hi',
      { maxTokens: 8, stream: true, temperature: 0.5, stop: ['a', 'b'], seed: 7 },
      'r1',
      false,
    );
    expect(req.inputs).toEqual([
      { name: 'text_input', datatype: 'BYTES', shape: [1, 1], contents: { bytes_contents: [Buffer.from('hi')] } },
      { name: 'max_tokens', datatype: 'INT32', shape: [1, 1], contents: { int_contents: [8] } },
      {
        name: 'stop_words',
        datatype: 'BYTES',
        shape: [1, 2],
        contents: { bytes_contents: [Buffer.from('a'), Buffer.from('b')] },
      },
      { name: 'random_seed', datatype: 'UINT64', shape: [1, 1], contents: { uint64_contents: [7] } },
    ]);
    expect(req.parameters).toBeUndefined();
    expect(buildInferRequest(io, 'hi', { maxTokens: 1, stream: true }, 'r', true).parameters).toEqual([
      { key: 'triton_enable_empty_final_response', value: { bool_param: true } },
    ]);
  });

  it('decodes BYTES tensors from raw_output_contents and from typed contents', () => {
    const raw = Buffer.concat([
      Buffer.from([2, 0, 0, 0]),
      Buffer.from('hé'.normalize('NFC').slice(0, 1)),
      Buffer.from('i'),
      Buffer.from([0, 0, 0, 0]),
    ]);
    expect(splitBytesTensor(raw).map(String)).toEqual(['hi', '']);
    expect(() => splitBytesTensor(Buffer.from([9, 0, 0, 0, 1]))).toThrow(/truncated/);
    expect(
      textOf(
        {
          outputs: [
            { name: 'x', datatype: 'BYTES' },
            { name: 'text_output', datatype: 'BYTES' },
          ],
          raw_output_contents: [Buffer.alloc(0), raw],
        },
        'text_output',
      ),
    ).toBe('hi');
    expect(
      textOf(
        { outputs: [{ name: 'text_output', datatype: 'BYTES', contents: { bytes_contents: [Buffer.from('ok')] } }] },
        'text_output',
      ),
    ).toBe('ok');
    expect(textOf({ outputs: [] }, 'text_output')).toBe('');
  });
});
