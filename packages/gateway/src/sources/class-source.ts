// Outside models that classify prompts, as the classifier strategy sees them.

/** Where class probabilities come from: a native router, an ONNX model, or a Triton-served model. */
export interface ClassSource {
  readonly labels: readonly string[];
  /** True when `classify` calls a remote server (Triton), false or absent when it runs in this process. */
  readonly remote?: boolean;
  classify(text: string): number[] | Promise<number[]>;
}

export interface OnnxClassifierConfig {
  model: string;
  tokenizer: string;
  labels: string[];
  maxTokens: number;
}

export interface TritonClassifierConfig {
  /** http(s)://host:8000 or grpc(s)://host:8001 */
  endpoint: string;
  model: string;
  input: string | undefined;
  output: string | undefined;
  labels: string[];
  timeoutMs: number;
}
