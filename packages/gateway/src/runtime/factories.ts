import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, NativeRouter, NativeSemanticIndex } from '@switchboard/native';
import type { Logger } from 'pino';
import type { LearningStore } from '../learning/store.js';
import { chatCompletions } from '../request/operations.js';
import { FileSink } from '../sampling/file-sink.js';
import { RedisSink } from '../sampling/redis-sink.js';
import { EmbeddingsClient } from '../sources/embeddings.js';
import { OnnxClassifier } from '../sources/onnx-classifier.js';
import { TritonClassifier } from '../sources/triton-classifier.js';
import type { BuildFactories, SamplePrompts } from '../strategies/build-context.js';
import type { CompiledBackend } from '../table/backend.js';
import type { Transports } from '../transport/transport.js';
import { CallSignal } from '../upstream/call-signal.js';
import { providerFor } from '../providers/index.js';
import { parseJson, readBoundedText, ROUTE_FILE_LIMITS, routeFile, routerDir } from './route-files.js';

/**
 * Finds a router folder: an absolute path, a path relative to the route
 * file's folder or the working directory, or a name under the models folder;
 * with `confineTo` (Kubernetes mode), only inside those folders
 * (route-files.ts). Throws with the places it looked.
 */
export function resolveRouterDir(
  spec: string,
  routeFile: string | undefined,
  modelsDir = 'models',
  confineTo?: readonly string[],
): string {
  return routerDir(spec, { file: routeFile, confineTo }, modelsDir);
}

const routers = new Map<string, { mtimeMs: number; router: NativeRouter }>();

/** Loads a router once per folder and weights file version; throws naming what is wrong. */
function loadRouter(dir: string): NativeRouter {
  const mtimeMs = statSync(join(dir, 'weights.bin')).mtimeMs;
  const hit = routers.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.router;
  const router = NativeRouter.load(dir);
  routers.set(dir, { mtimeMs, router });
  return router;
}

/**
 * A conversation's turns as the gateway counts a chat request's (its user
 * messages, at least one) from a line's `messages`; 0 without them. The
 * native trainer reads a data row's `messages` the same way.
 */
export function turnsOf(messages: unknown): number {
  if (!Array.isArray(messages) || messages.length === 0) return 0;
  return Math.max(1, messages.filter((m: unknown) => (m as { role?: unknown } | null)?.role === 'user').length);
}

/**
 * Sample prompts from a file: JSON Lines with a "prompt" field (and, for a
 * conversation, "messages", as prompt sampling writes them), or one prompt
 * per line. A regular file of at most ROUTE_FILE_LIMITS.text bytes; a bad
 * JSON line is named by its number, not quoted.
 */
export function readPrompts(promptsFile: string): SamplePrompts {
  const out: SamplePrompts = { texts: [], turns: [] };
  readBoundedText(promptsFile, ROUTE_FILE_LIMITS.text, 'calibration prompts file')
    .split('\n')
    .forEach((l, i) => {
      if (!l.trim()) return;
      if (!l.trimStart().startsWith('{')) {
        out.texts.push(l);
        out.turns.push(0);
        return;
      }
      const v = parseJson(l, `calibration prompts file ${promptsFile}`, i + 1) as { prompt?: unknown; messages?: unknown } | null;
      if (typeof v?.prompt !== 'string') throw new Error(`${promptsFile}: line ${i + 1} has no "prompt" string`);
      out.texts.push(v.prompt);
      out.turns.push(turnsOf(v.messages));
    });
  if (!out.texts.length) throw new Error(`calibration prompts file ${promptsFile} is empty`);
  return out;
}

export interface FactoryOptions {
  learning: LearningStore;
  transports: Transports;
  log: Logger;
  /** Where `router: NAME` is looked up (default ./models). */
  modelsDir?: string | undefined;
  /** Told of every answer of a call outside any request (an evaluator's rating), for the cost of routing. */
  onAsked?: ((backend: CompiledBackend, answer: unknown) => void) | undefined;
}

/** The real factories: files, the native module, onnxruntime, the network. */
export function defaultFactories(opts: FactoryOptions): BuildFactories {
  return {
    loadTokenizer,
    resolveRouterDir: (spec, origin) => resolveRouterDir(spec, origin.file, opts.modelsDir, origin.confineTo),
    loadRouter,
    routeFile,
    readPrompts,
    readText: (path, maxBytes) => readBoundedText(path, maxBytes, 'file'),
    semanticIndex: (encoder, utterances, routeOf, routes, topK) =>
      NativeSemanticIndex.fromText(encoder, utterances, routeOf, routes, topK),
    semanticIndexFromVectors: (vectors, dim, routeOf, routes, topK) =>
      NativeSemanticIndex.fromVectors(vectors, dim, routeOf, routes, topK),
    async onnxClassifier(c) {
      const classifier = new OnnxClassifier(c.model, c.tokenizer, c.labels, c.maxTokens);
      await classifier.ready();
      return { value: classifier, close: () => void classifier.close().catch(() => undefined) };
    },
    tritonClassifier(c) {
      const classifier = new TritonClassifier(c);
      return { value: classifier, close: () => classifier.close() };
    },
    embeddings: (c) => new EmbeddingsClient(c),
    ask: async (backend, body, timeoutMs) => {
      const answer = await ask(opts.transports, backend, body, timeoutMs);
      opts.onAsked?.(backend, answer);
      return answer;
    },
    learning: opts.learning,
    sampleSink(plan) {
      // A full disk or an absent Redis fails every batch: logged once a minute, with how many were not (the metric counts records).
      let last = -Infinity;
      let quiet = 0;
      const onError = (err: Error) => {
        const now = Date.now();
        if (now - last < 60_000) {
          quiet++;
          return;
        }
        opts.log.warn({ err: err.message, sink: plan.kind, unloggedErrors: quiet }, 'prompt sampling write failed');
        last = now;
        quiet = 0;
      };
      const sink =
        plan.kind === 'file'
          ? new FileSink({ ...plan, onError })
          : new RedisSink({ url: plan.url, stream: plan.stream, maxLength: plan.maxLength, password: plan.password, onError });
      return { value: sink, close: () => sink.close() };
    },
    onError: (err, what) => opts.log.warn({ err: err.message }, `${what} failed`),
  };
}

/** One non-streaming chat call outside any client request (an evaluator), through the backend's transport. */
async function ask(transports: Transports, backend: CompiledBackend, body: Record<string, unknown>, timeoutMs: number) {
  const call = new CallSignal(timeoutMs);
  const timeouts = { connect: timeoutMs, firstToken: timeoutMs, idle: timeoutMs, total: timeoutMs };
  const request = { ...body, model: backend.model };
  try {
    const outcome = await transports.for(backend).attempt({
      route: { timeouts },
      backend,
      op: chatCompletions,
      body: request,
      call,
      requestId: 'switchboard-evaluator',
      stream: false,
    });
    if (outcome.kind !== 'json')
      throw new Error(`backend ${backend.name}: ${'error' in outcome ? outcome.error.message : outcome.kind}`);
    const provider = providerFor(backend.provider);
    return provider.toOpenAI ? provider.toOpenAI(outcome.json, { op: chatCompletions, body: request, backend }) : outcome.json;
  } finally {
    call.done();
  }
}
