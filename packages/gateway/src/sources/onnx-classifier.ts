import { loadTokenizer, type NativeTokenizer } from '@switchboard/native';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession as Session, Tensor } from 'onnxruntime-node';
import { parseJson, readBoundedText, ROUTE_FILE_LIMITS } from '../runtime/route-files.js';

type Ort = typeof OrtModule;

/**
 * The special tokens a HuggingFace tokenizer.json's post-processor wraps a
 * single text in. Read capped, and a parse error names no content (the path
 * is a route's: runtime/route-files.ts).
 */
function specialTokens(tokenizerFile: string): { before: number[]; after: number[] } {
  const text = readBoundedText(tokenizerFile, ROUTE_FILE_LIMITS.tokenizer, 'tokenizer');
  const json = parseJson(text, `tokenizer ${tokenizerFile}`) as {
    post_processor?: {
      type?: string;
      cls?: [string, number];
      sep?: [string, number];
      single?: ({ SpecialToken?: { id: string } } | { Sequence?: unknown })[];
      special_tokens?: Record<string, { ids: number[] }>;
    } | null;
  } | null;
  const pp = typeof json === 'object' ? json?.post_processor : undefined;
  if (!pp) return { before: [], after: [] };
  if ((pp.type === 'BertProcessing' || pp.type === 'RobertaProcessing') && pp.cls && pp.sep) {
    return { before: [pp.cls[1]], after: [pp.sep[1]] };
  }
  if (pp.type === 'TemplateProcessing' && pp.single) {
    const before: number[] = [];
    const after: number[] = [];
    let seen = false;
    for (const piece of pp.single) {
      if ('Sequence' in piece) seen = true;
      else if ('SpecialToken' in piece && piece.SpecialToken) {
        (seen ? after : before).push(...(pp.special_tokens?.[piece.SpecialToken.id]?.ids ?? []));
      }
    }
    return { before, after };
  }
  return { before: [], after: [] };
}

/**
 * Characters of a prompt tokenized per token the model reads: far more than
 * a word piece needs, and bounded work. Tokenizing a client's whole 9 MB
 * prompt to keep its first 512 tokens held the event loop for seconds.
 */
const TEXT_CHARS_PER_TOKEN = 64;

/**
 * Any ONNX text classifier (a fine-tuned BERT, the blueprint's task router
 * exported to ONNX, ...) through onnxruntime-node. The prompt is tokenized
 * natively with the model's own tokenizer.json; input_ids and, where the
 * model declares them, attention_mask and token_type_ids go in; the first
 * output's logits come out as probabilities.
 */
export class OnnxClassifier {
  readonly #tokenizer: NativeTokenizer;
  readonly #special: { before: number[]; after: number[] };
  /** The runtime module and the loaded model, together: one await per request. */
  readonly #loaded: Promise<{ ort: Ort; session: Session }>;

  constructor(
    modelFile: string,
    tokenizerFile: string,
    readonly labels: readonly string[],
    readonly maxTokens: number,
  ) {
    this.#tokenizer = loadTokenizer(tokenizerFile);
    this.#special = specialTokens(tokenizerFile);
    // The runtime loads lazily: routes without ONNX classifiers never pay for it.
    this.#loaded = import('onnxruntime-node').then(async (ort) => ({
      ort,
      session: await ort.InferenceSession.create(modelFile, { intraOpNumThreads: 1, interOpNumThreads: 1 }),
    }));
    this.#loaded.catch(() => undefined);
  }

  /** Resolves once the model is loaded; rejects with onnxruntime's reason. */
  ready(): Promise<unknown> {
    return this.#loaded;
  }

  /** Frees the session (its native memory); the classifier is unusable after. */
  async close(): Promise<void> {
    const { session } = await this.#loaded;
    await session.release();
  }

  async classify(text: string): Promise<number[]> {
    const { ort, session } = await this.#loaded;
    const room = this.maxTokens - this.#special.before.length - this.#special.after.length;
    const ids = [
      ...this.#special.before,
      ...Array.from(this.#tokenizer.encode(text.slice(0, TEXT_CHARS_PER_TOKEN * this.maxTokens))).slice(0, Math.max(1, room)),
      ...this.#special.after,
    ];
    const n = ids.length;
    const feeds: Record<string, Tensor> = {
      input_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (v) => BigInt(v)),
        [1, n],
      ),
    };
    if (session.inputNames.includes('attention_mask')) {
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    }
    if (session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
    }
    const out = await session.run(feeds);
    const logits = out[session.outputNames[0] as string]?.data as Float32Array | undefined;
    if (!logits || logits.length !== this.labels.length) {
      throw new Error(`ONNX classifier returned ${logits?.length ?? 0} scores for ${this.labels.length} labels`);
    }
    return softmax(Array.from(logits));
  }
}

export function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
