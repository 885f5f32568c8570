import {
  parameter,
  parameterMap,
  type InferTensorContents,
  type ModelConfigResponse,
  type ModelInferRequest,
  type ModelInferResponse,
  type ModelMetadataResponse,
  type TensorMetadata,
} from './protocol.js';

/** What the gateway learned about one model from ModelMetadata (and ModelConfig, where served). */
export interface ModelIO {
  model: string;
  /** Decoupled models (streaming TensorRT-LLM) answer only over ModelStreamInfer. */
  decoupled: boolean;
  /**
   * The server has ModelStreamInfer (Triton, known by its ModelConfig).
   * Plain KServe servers have neither: a stream is then the whole answer
   * from ModelInfer, sent as one chunk.
   */
  streamRpc: boolean;
  /** The text input the prompt goes into. */
  prompt: TensorMetadata;
  /** The text output read back. */
  output: TensorMetadata;
  inputs: ReadonlyMap<string, TensorMetadata>;
}

/** Generation settings mapped onto whichever inputs the model declares. */
export interface Generation {
  maxTokens: number;
  stream: boolean;
  temperature?: number | undefined;
  topP?: number | undefined;
  stop?: string[] | undefined;
  seed?: number | undefined;
}

// TensorRT-LLM ensembles and BLS models use the first names; older Python/ONNX models the later ones.
const PROMPT_INPUTS = ['text_input', 'prompt', 'INPUT_0', 'input', 'text'];
const TEXT_OUTPUTS = ['text_output', 'OUTPUT_0', 'output', 'text'];
const MAX_TOKENS_INPUTS = ['max_tokens', 'request_output_len'];
const SEED_INPUTS = ['seed', 'random_seed'];

/** Reads the model's tensors; throws with a reason when the model has no text input or output. */
export function describeModel(meta: ModelMetadataResponse, config: ModelConfigResponse | undefined): ModelIO {
  const inputs = new Map((meta.inputs ?? []).map((t) => [t.name, t]));
  const outputs = meta.outputs ?? [];
  const prompt = pick(PROMPT_INPUTS, inputs) ?? [...inputs.values()].find((t) => t.datatype === 'BYTES');
  const output = pick(TEXT_OUTPUTS, new Map(outputs.map((t) => [t.name, t]))) ?? outputs.find((t) => t.datatype === 'BYTES');
  const names = (ts: Iterable<TensorMetadata>) => [...ts].map((t) => `${t.name}:${t.datatype}`).join(', ') || 'none';
  if (!prompt || prompt.datatype !== 'BYTES') {
    throw new Error(
      `model "${meta.name}" has no text (BYTES) input named ${PROMPT_INPUTS.join('/')} (inputs: ${names(inputs.values())})`,
    );
  }
  if (!output || output.datatype !== 'BYTES') {
    throw new Error(
      `model "${meta.name}" has no text (BYTES) output named ${TEXT_OUTPUTS.join('/')} (outputs: ${names(outputs)})`,
    );
  }
  return {
    model: meta.name,
    decoupled: config?.config?.model_transaction_policy?.decoupled === true,
    streamRpc: config !== undefined,
    prompt,
    output,
    inputs,
  };
}

/** A ModelInferRequest for one prompt, sending only the inputs the model declares. */
export function buildInferRequest(io: ModelIO, text: string, gen: Generation, id: string, finalFlag: boolean): ModelInferRequest {
  const inputs: ModelInferRequest['inputs'] = [tensor(io.prompt, [Buffer.from(text, 'utf8')])];
  const add = (names: string[], values: (number | boolean | Buffer)[] | undefined) => {
    if (values === undefined) return;
    const meta = pick(names, io.inputs);
    if (meta) inputs.push(tensor(meta, values));
  };
  add(MAX_TOKENS_INPUTS, [gen.maxTokens]);
  add(['stream'], [gen.stream]);
  add(['temperature'], gen.temperature === undefined ? undefined : [gen.temperature]);
  add(['top_p'], gen.topP === undefined ? undefined : [gen.topP]);
  add(['stop_words'], gen.stop?.length ? gen.stop.map((s) => Buffer.from(s, 'utf8')) : undefined);
  add(SEED_INPUTS, gen.seed === undefined ? undefined : [gen.seed]);
  const request: ModelInferRequest = { model_name: io.model, id, inputs, outputs: [{ name: io.output.name }] };
  // Asks Triton to flag the last response of a decoupled stream, so the gateway knows it is complete.
  if (finalFlag) request.parameters = parameterMap({ triton_enable_empty_final_response: { bool_param: true } });
  return request;
}

/** A response whose tensor does not hold what it says it holds: the server's answer is broken, not the request. */
export class MalformedTensorError extends Error {
  override readonly name = 'MalformedTensorError';
}

/**
 * The text in a response's output tensor (raw_output_contents, as Triton
 * sends it, or typed contents) and its size in bytes, counted before the
 * text is built. Throws MalformedTensorError on a tensor that cannot be read.
 */
export function outputText(res: ModelInferResponse, outputName: string): { text: string; bytes: number } {
  const outputs = res.outputs ?? [];
  const index = outputs.findIndex((o) => o.name === outputName);
  if (index < 0) return { text: '', bytes: 0 };
  const raw = res.raw_output_contents?.[index];
  const pieces = raw ? splitBytesTensor(raw) : (outputs[index]?.contents?.bytes_contents ?? []);
  let bytes = 0;
  for (const p of pieces) {
    if (!Buffer.isBuffer(p)) throw new MalformedTensorError(`output ${outputName} is not a BYTES tensor`);
    bytes += p.length;
  }
  return { text: pieces.map((p) => p.toString('utf8')).join(''), bytes };
}

/** The text in a response's output tensor (see outputText). */
export function textOf(res: ModelInferResponse, outputName: string): string {
  return outputText(res, outputName).text;
}

/** True on the response Triton flags as the last of a stream. */
export function isFinalResponse(res: ModelInferResponse): boolean {
  const flag = parameter(res.parameters, 'triton_final_response');
  return flag !== undefined && 'bool_param' in flag && flag.bool_param;
}

/** A BYTES tensor in raw form: each element is a little-endian uint32 length and that many bytes (MalformedTensorError when the bytes run short). */
export function splitBytesTensor(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= raw.length) {
    const length = raw.readUInt32LE(offset);
    offset += 4;
    if (offset + length > raw.length) throw new MalformedTensorError('truncated BYTES tensor in raw_output_contents');
    out.push(raw.subarray(offset, offset + length));
    offset += length;
  }
  return out;
}

function pick(names: string[], tensors: ReadonlyMap<string, TensorMetadata>): TensorMetadata | undefined {
  for (const n of names) {
    const t = tensors.get(n);
    if (t) return t;
  }
  return undefined;
}

/** One input tensor: the declared shape with variable dimensions set (batch 1, the last to the value count). */
function tensor(meta: TensorMetadata, values: (number | boolean | Buffer)[]): ModelInferRequest['inputs'][number] {
  const shape = meta.shape.length ? meta.shape.map((d) => (d < 0 ? 1 : d)) : [];
  if (values.length !== 1) {
    if (!shape.length) shape.push(values.length);
    else shape[shape.length - 1] = values.length;
  }
  return { name: meta.name, datatype: meta.datatype, shape, contents: contents(meta.datatype, values) };
}

function contents(datatype: string, values: (number | boolean | Buffer)[]): InferTensorContents {
  const numbers = () => values.map(Number);
  switch (datatype) {
    case 'BYTES':
      return { bytes_contents: values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))) };
    case 'BOOL':
      return { bool_contents: values.map(Boolean) };
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return { int_contents: numbers().map(Math.trunc) };
    case 'INT64':
      return { int64_contents: numbers().map(Math.trunc) };
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
      return { uint_contents: numbers().map(Math.trunc) };
    case 'UINT64':
      return { uint64_contents: numbers().map(Math.trunc) };
    case 'FP32':
      return { fp32_contents: numbers() };
    case 'FP64':
      return { fp64_contents: numbers() };
    default:
      // FP16/BF16 have no typed field in the protocol; such inputs would need raw contents.
      throw new Error(`input datatype ${datatype} is not supported by the gateway`);
  }
}
