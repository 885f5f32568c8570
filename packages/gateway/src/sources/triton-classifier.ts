import * as grpc from '@grpc/grpc-js';
import type { TritonClassifierConfig } from './class-source.js';
import { unary, type InferenceClient } from '../transport/grpc/clients.js';
import { GRPCInferenceService } from '../transport/grpc/protocol.js';
import { getJson, postJson } from '../upstream/side-call.js';
import { softmax } from './onnx-classifier.js';

interface Io {
  input: string;
  shape: number[];
  output: string;
}

interface InferResponse {
  outputs: { name: string; datatype: string; contents?: Record<string, number[]> }[];
  raw_output_contents?: Buffer[];
}

/**
 * A classifier served by Triton or any KServe v2 server, over the v2
 * protocol (HTTP/REST or gRPC) — how NVIDIA's LLM router blueprint deploys
 * its task and complexity routers. The prompt goes in as a one-element
 * BYTES tensor; the output holds one score per label (probabilities, or
 * logits, which are turned into probabilities).
 */
export class TritonClassifier {
  readonly remote = true;
  readonly #grpc: InferenceClient | undefined;
  #io: Promise<Io> | undefined;

  constructor(readonly config: TritonClassifierConfig) {
    const url = new URL(config.endpoint);
    if (url.protocol === 'grpc:' || url.protocol === 'grpcs:') {
      const creds = url.protocol === 'grpcs:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
      this.#grpc = new GRPCInferenceService.Client(url.host, creds) as InferenceClient;
    }
  }

  get labels(): readonly string[] {
    return this.config.labels;
  }

  async classify(text: string): Promise<number[]> {
    const io = await this.#describe();
    const scores = this.#grpc ? await this.#inferGrpc(io, text) : await this.#inferHttp(io, text);
    // The server is the route author's: a score that is not a finite number would win or
    // lose every comparison (NaN) and send every prompt to one class.
    if (!scores.every(Number.isFinite)) {
      throw new Error(`Triton model "${this.config.model}" returned a score that is not a finite number`);
    }
    if (scores.length !== this.config.labels.length) {
      throw new Error(
        `Triton model "${this.config.model}" returned ${scores.length} scores for ${this.config.labels.length} labels`,
      );
    }
    const isDistribution = scores.every((s) => s >= 0 && s <= 1) && Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-3;
    return isDistribution ? scores : softmax(scores);
  }

  close(): void {
    this.#grpc?.close();
  }

  /** Input and output names from the model's metadata, read once (retried after a failure). */
  #describe(): Promise<Io> {
    if (!this.#io) {
      this.#io = this.#metadata().then((meta) => {
        const input = meta.inputs.find((t) => t.name === this.config.input) ?? (this.config.input ? undefined : meta.inputs[0]);
        const output =
          meta.outputs.find((t) => t.name === this.config.output) ?? (this.config.output ? undefined : meta.outputs[0]);
        if (!input || !output) {
          throw new Error(
            `Triton model "${this.config.model}" has no input ${this.config.input ?? ''} / output ${this.config.output ?? ''} (inputs: ${meta.inputs.map((t) => t.name).join(', ')}; outputs: ${meta.outputs.map((t) => t.name).join(', ')})`,
          );
        }
        // One prompt: every variable dimension is 1.
        const shape = (input.shape.length ? input.shape : [1]).map((d) => (Number(d) < 0 ? 1 : Number(d)));
        return { input: input.name, shape, output: output.name };
      });
      this.#io.catch(() => (this.#io = undefined));
    }
    return this.#io;
  }

  async #metadata(): Promise<{ inputs: { name: string; shape: (number | string)[] }[]; outputs: { name: string }[] }> {
    const client = this.#grpc;
    if (client) {
      const res = await unary(
        client.ModelMetadata.bind(client),
        { name: this.config.model },
        new grpc.Metadata(),
        this.#deadline(),
      );
      return { inputs: res.inputs ?? [], outputs: res.outputs ?? [] };
    }
    return (await getJson(
      new URL(`v2/models/${encodeURIComponent(this.config.model)}`, this.#base()),
      this.config.timeoutMs,
    )) as {
      inputs: { name: string; shape: number[] }[];
      outputs: { name: string }[];
    };
  }

  #base(): URL {
    return new URL(this.config.endpoint.endsWith('/') ? this.config.endpoint : `${this.config.endpoint}/`);
  }

  async #inferHttp(io: Io, text: string): Promise<number[]> {
    const res = (await postJson(
      new URL(`v2/models/${encodeURIComponent(this.config.model)}/infer`, this.#base()),
      {
        inputs: [{ name: io.input, shape: io.shape, datatype: 'BYTES', data: [text] }],
        outputs: [{ name: io.output }],
      },
      { timeoutMs: this.config.timeoutMs },
    )) as { outputs?: { name: string; data?: unknown[] }[] };
    const outputs = Array.isArray(res.outputs) ? res.outputs : [];
    const out = outputs.find((o) => o?.name === io.output) ?? outputs[0];
    const data = out?.data ?? [];
    if (!Array.isArray(data)) throw new Error(`Triton model "${this.config.model}" returned data that is not a list`);
    return data.map((d) => (typeof d === 'number' ? d : NaN));
  }

  async #inferGrpc(io: Io, text: string): Promise<number[]> {
    const client = this.#grpc as InferenceClient;
    const res = (await unary(
      client.ModelInfer.bind(client),
      {
        model_name: this.config.model,
        inputs: [{ name: io.input, datatype: 'BYTES', shape: io.shape, contents: { bytes_contents: [Buffer.from(text)] } }],
        outputs: [{ name: io.output }],
      },
      new grpc.Metadata(),
      this.#deadline(),
    )) as InferResponse;
    const index = Math.max(
      0,
      res.outputs.findIndex((o) => o.name === io.output),
    );
    const tensor = res.outputs[index];
    const raw = res.raw_output_contents?.[index];
    if (raw && tensor) return decodeRaw(raw, tensor.datatype);
    const contents = tensor?.contents ?? {};
    return (contents.fp32_contents ?? contents.fp64_contents ?? contents.int_contents ?? contents.int64_contents ?? []).map(
      Number,
    );
  }

  #deadline(): Date {
    return new Date(Date.now() + this.config.timeoutMs);
  }
}

/** Little-endian numbers of a raw output tensor. */
function decodeRaw(raw: Buffer, datatype: string): number[] {
  const out: number[] = [];
  const step = datatype === 'FP64' || datatype === 'INT64' ? 8 : datatype === 'FP16' ? 2 : 4;
  for (let o = 0; o + step <= raw.length; o += step) {
    switch (datatype) {
      case 'FP32':
        out.push(raw.readFloatLE(o));
        break;
      case 'FP64':
        out.push(raw.readDoubleLE(o));
        break;
      case 'INT32':
        out.push(raw.readInt32LE(o));
        break;
      case 'INT64':
        out.push(Number(raw.readBigInt64LE(o)));
        break;
      default:
        throw new Error(`unsupported classifier output type ${datatype}`);
    }
  }
  return out;
}
