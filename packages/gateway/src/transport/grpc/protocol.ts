import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';

/**
 * Triton's official `inference.GRPCInferenceService`, loaded from the
 * descriptor set shipped in the tritonclient wheel (packages/gateway/proto).
 * The same service name and messages as KServe's v2 protocol, plus
 * ModelConfig and ModelStreamInfer.
 */
const DESCRIPTOR_PATH = fileURLToPath(new URL('../../../proto/triton-grpc.pb', import.meta.url));

const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true } as const;

type ServiceConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => grpc.Client;

function load(): { Client: ServiceConstructor; definition: grpc.ServiceDefinition } {
  const packageDefinition = loadFileDescriptorSetFromBuffer(readFileSync(DESCRIPTOR_PATH), LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    inference: { GRPCInferenceService: ServiceConstructor & { service: grpc.ServiceDefinition } };
  };
  const ctor = loaded.inference.GRPCInferenceService;
  return { Client: ctor, definition: ctor.service };
}

export const GRPCInferenceService = load();

/** Values of `InferParameter`'s oneof. */
export type InferParameter =
  | { bool_param: boolean }
  | { int64_param: number }
  | { string_param: string }
  | { double_param: number }
  | { uint64_param: number };

export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadataResponse {
  name: string;
  versions?: string[];
  platform?: string;
  inputs?: TensorMetadata[];
  outputs?: TensorMetadata[];
}

/**
 * A protobuf map (`map<string, InferParameter>`). Loaded from a descriptor
 * set, maps keep their wire form: a list of key/value entries.
 */
export type ParameterMap = { key: string; value: InferParameter }[];

export const parameterMap = (record: Record<string, InferParameter>): ParameterMap =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

/** One entry of a parameter map, in list or object form. */
export function parameter(
  map: ParameterMap | Record<string, InferParameter> | undefined,
  key: string,
): InferParameter | undefined {
  if (!map) return undefined;
  return Array.isArray(map) ? map.find((e) => e.key === key)?.value : map[key];
}

export interface ModelInferRequest {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: ParameterMap;
  inputs: { name: string; datatype: string; shape: number[]; contents: InferTensorContents }[];
  outputs?: { name: string }[];
  /** Inputs in raw little-endian form, one per input in order (tritonclient sends these). */
  raw_input_contents?: Buffer[];
}

export interface ModelInferResponse {
  model_name?: string;
  id?: string;
  parameters?: ParameterMap;
  outputs?: { name: string; datatype: string; shape?: number[]; contents?: InferTensorContents }[];
  raw_output_contents?: Buffer[];
}

export interface ModelStreamInferResponse {
  error_message?: string;
  infer_response?: ModelInferResponse;
}

/** The parts of `inference.ModelConfig` the gateway reads. */
export interface ModelConfigResponse {
  config?: { name?: string; max_batch_size?: number; model_transaction_policy?: { decoupled?: boolean } };
}
