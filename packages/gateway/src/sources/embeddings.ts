import { postJson, shown, SideCallError } from '../upstream/side-call.js';

export interface EmbeddingsConfig {
  /** Base URL up to /v1 (trailing slash optional). */
  endpoint: string;
  model: string;
  apiKey: string | undefined;
  dimensions: number | undefined;
  timeoutMs: number;
}

/**
 * The remote encoder: vectors from any OpenAI-compatible /v1/embeddings
 * server (OpenAI's text-embedding-3-small as RouteLLM's mf uses it, or an
 * in-cluster NIM / TEI embedder).
 */
export class EmbeddingsClient {
  readonly #url: URL;
  readonly #headers: Record<string, string>;

  constructor(readonly config: EmbeddingsConfig) {
    const base = config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`;
    this.#url = new URL('embeddings', base);
    this.#headers = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
  }

  /** One vector per text, in order. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: this.config.model, input: texts, encoding_format: 'float' };
    if (this.config.dimensions !== undefined) body.dimensions = this.config.dimensions;
    const answer = (await postJson(this.#url, body, {
      headers: this.#headers,
      timeoutMs: this.config.timeoutMs,
      ...(signal ? { signal } : {}),
    })) as { data?: { index?: unknown; embedding?: unknown }[] };
    const data = answer.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new SideCallError(
        `${shown(this.#url)}: expected ${texts.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`,
      );
    }
    // The server is the route author's: its indices and numbers are checked, not trusted
    // (an index of 1e9 or "__proto__" would otherwise reach the array, a string a NaN).
    const out: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(texts.length).fill(undefined);
    data.forEach((d, i) => {
      const at = d.index ?? i;
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= texts.length || out[at]) {
        throw new SideCallError(
          `${shown(this.#url)}: embedding ${i} has index ${JSON.stringify(at)}, not a new one below ${texts.length}`,
        );
      }
      const v = d.embedding;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new SideCallError(`${shown(this.#url)}: embedding ${i} is not a list of finite numbers`);
      }
      out[at] = Float32Array.from(v as number[]);
    });
    return out as Float32Array[];
  }

  /** Many texts in batches (training data, utterances). */
  async embedAll(texts: readonly string[], batch = 64, progress?: (done: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batch) {
      out.push(...(await this.embed(texts.slice(i, i + batch))));
      progress?.(out.length);
    }
    return out;
  }
}
