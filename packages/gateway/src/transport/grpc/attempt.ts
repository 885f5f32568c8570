import { Readable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { CompiledBackend, RetryOn } from '../../table/backend.js';
import type { Timed } from '../../table/route.js';
import { GatewayError } from '../../errors.js';
import type { Operation, ProxiedBody } from '../../request/operations.js';
import type { AttemptOutcome } from '../outcome.js';
import type { CallSignal } from '../../upstream/call-signal.js';
import { backendSecrets, scrub, UpstreamDetail, upstreamTimeout } from '../../upstream/errors.js';
import { TRITON_DEFAULT_MAX_TOKENS } from '../../providers/triton/index.js';
import { promptOf } from '../../providers/triton/prompt.js';
import type { InferenceClient, TritonGrpcClients } from './clients.js';
import type { ModelInferRequest, ModelInferResponse, ModelStreamInferResponse } from './protocol.js';
import {
  buildInferRequest,
  isFinalResponse,
  MalformedTensorError,
  outputText,
  type Generation,
  type ModelIO,
} from './tensors.js';

const encoder = new TextEncoder();

/** The most of a backend's own error text the client is shown (as for HTTP backends). */
const BACKEND_TEXT_LIMIT = 500;

/** Settings every gRPC attempt shares. */
export interface AttemptOptions {
  /**
   * Largest answer read from a backend, in bytes of text: one ModelInfer
   * response, or all the responses of one ModelStreamInfer answer, streamed
   * or not. Beyond it the call is cancelled: 502 upstream_too_large, or an
   * error event ending a stream that already started. The HTTP transport's
   * limit (--max-response-bytes).
   */
  maxResponseBytes: number;
  /** Where what the client is not shown goes (grpc-js's connection details: addresses), at warn. */
  log: Logger;
}

/** One attempt's backend and circumstances, as its helpers need them. */
interface Attempt {
  backend: CompiledBackend;
  route: Timed;
  call: CallSignal;
  requestId: string;
  options: AttemptOptions;
}

/**
 * One call to a Triton / KServe v2 server over gRPC, with the same outcome
 * shapes as the HTTP path so failover, metrics and the Triton provider's
 * OpenAI translation are shared: a non-streaming answer becomes the JSON
 * `{"text_output": ...}` of Triton's generate endpoint, and a stream becomes
 * that endpoint's SSE events, read far enough to hold the first piece.
 *
 * ModelInfer serves non-streaming requests; ModelStreamInfer serves
 * streaming ones and any request to a decoupled model (which cannot answer
 * ModelInfer). Deadlines come from the route's total timeout; the first
 * token and idle timeouts are timers; the client leaving cancels the call.
 */
export async function grpcAttempt(
  clients: TritonGrpcClients,
  options: AttemptOptions,
  route: Timed,
  backend: CompiledBackend,
  op: Operation,
  body: ProxiedBody,
  call: CallSignal,
  requestId: string,
  headers?: Readonly<Record<string, string>>,
): Promise<AttemptOutcome> {
  const upstreamStart = performance.now();
  const ctx: Attempt = { backend, route, call, requestId, options };
  const deadline = new Date(Date.now() + route.timeouts.total);
  const metadata = metadataFor(backend, requestId, headers);
  let io: ModelIO;
  try {
    io = await clients.model(
      backend,
      metadata,
      new Date(Date.now() + Math.min(route.timeouts.total, route.timeouts.connect + route.timeouts.firstToken)),
    );
  } catch (err) {
    return failure(err, ctx, 'metadata');
  }
  if (call.reason) return failure(undefined, ctx, 'metadata');
  const generation: Generation = {
    maxTokens: Number(body.max_completion_tokens ?? body.max_tokens ?? backend.maxOutputTokens ?? TRITON_DEFAULT_MAX_TOKENS),
    stream: Boolean(body.stream),
    temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
    topP: typeof body.top_p === 'number' ? body.top_p : undefined,
    stop: body.stop == null ? undefined : (Array.isArray(body.stop) ? body.stop : [body.stop]).map(String),
    seed: typeof body.seed === 'number' ? body.seed : undefined,
  };
  let request;
  try {
    request = buildInferRequest(io, promptOf(op, body, backend), generation, requestId, generation.stream || io.decoupled);
  } catch (err) {
    return {
      kind: 'fail',
      backendHealthy: true,
      error: new GatewayError(502, 'upstream_error', `Backend "${backend.name}": ${(err as Error).message}.`, {
        code: 'upstream_unsupported',
      }),
    };
  }
  const client = clients.client(backend);
  if (io.decoupled || (generation.stream && io.streamRpc)) {
    return streamCall(client.ModelStreamInfer(metadata, { deadline }), request, io, ctx, upstreamStart, generation.stream);
  }
  const outcome = await unaryCall(client, request, metadata, deadline, io, ctx, upstreamStart);
  return generation.stream && outcome.kind === 'json' ? wholeAnswerAsStream(outcome.json.text_output, upstreamStart) : outcome;
}

type NotJson = Exclude<AttemptOutcome, { kind: 'json' }>;

/** ModelInfer: the whole answer at once. */
function unaryCall(
  client: InferenceClient,
  request: ModelInferRequest,
  metadata: grpc.Metadata,
  deadline: Date,
  io: ModelIO,
  ctx: Attempt,
  upstreamStart: number,
): Promise<(AttemptOutcome & { json: { text_output: string } }) | NotJson> {
  const { backend, route, call, options } = ctx;
  return new Promise((resolve) => {
    let firstTokenTimedOut = false;
    const timer = setTimeout(() => {
      firstTokenTimedOut = true;
      pending.cancel();
    }, route.timeouts.firstToken);
    const onAbort = () => pending.cancel();
    // Nothing thrown in a grpc-js callback may escape: it would be uncaught, and end the process.
    const pending = client.ModelInfer(request, metadata, { deadline }, (err, res) => {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
      try {
        if (err) return resolve(failure(err, ctx, firstTokenTimedOut ? 'first-token' : 'call') as NotJson);
        const answer = outputText(res as ModelInferResponse, io.output.name);
        if (answer.bytes > options.maxResponseBytes) return resolve(tooLarge(backend));
        resolve(jsonOutcome(answer.text, upstreamStart));
      } catch (unreadable) {
        resolve(malformed(backend, unreadable));
      }
    });
    call.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A server without a streaming RPC: its whole answer as one generate_stream event. */
function wholeAnswerAsStream(text: string, upstreamStart: number): AttemptOutcome {
  const first = Buffer.from(`data: ${JSON.stringify({ text_output: text })}\n\n`);
  const body = Readable.from([]);
  return {
    kind: 'stream',
    body,
    chunks: body[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
    first,
    upstreamStart,
    headersAt: performance.now(),
  };
}

/** ModelStreamInfer: resolves at the first piece (stream) or at the end (a decoupled model asked for one answer). */
function streamCall(
  duplex: grpc.ClientDuplexStream<object, unknown>,
  request: object,
  io: ModelIO,
  ctx: Attempt,
  upstreamStart: number,
  stream: boolean,
): Promise<AttemptOutcome> {
  const { backend, route, call, options } = ctx;
  return new Promise<AttemptOutcome>((resolve) => {
    // settled: the promise is resolved; ended: nothing more is read from the call (done, failed or cancelled).
    let settled = false;
    let ended = false;
    let phase: 'first-token' | 'idle' = 'first-token';
    let timedOut: 'first-token' | 'idle' | undefined;
    let collected = '';
    // Bytes of text received for this answer (relayed, or collected): at most maxResponseBytes.
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          timedOut = phase;
          duplex.cancel();
        },
        phase === 'first-token' ? route.timeouts.firstToken : route.timeouts.idle,
      );
    };
    const onAbort = () => duplex.cancel();
    call.signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
    };
    // The client side of the relay: SSE bytes shaped like Triton's generate_stream.
    const sse = new Readable({
      read: () => duplex.resume(),
      destroy(err, cb) {
        cleanup();
        // Cancel only a call still producing (the client left). Cancelling one that
        // already sent its last response would reset the HTTP/2 stream before the
        // server's trailers, and servers treat a burst of resets as an attack
        // (Node's rapid-reset guard closes the whole connection).
        if (!ended) duplex.cancel();
        cb(err);
      },
    });
    // The relay reads a failure from its iterator (which rejects with it); until it
    // starts reading, or when there is no relay (one whole answer), an 'error' event
    // with no listener would be thrown.
    sse.on('error', () => undefined);
    const emit = (payload: object) => {
      if (!sse.push(`data: ${JSON.stringify(payload)}\n\n`)) duplex.pause();
    };
    /**
     * Stops reading the call: before the first byte reached the client the attempt
     * comes to `before`; after it, the stream ends with `after` (the relay sends it
     * as an error event), or cleanly when there is none.
     */
    const stop = (before: AttemptOutcome, after: GatewayError | undefined) => {
      cleanup();
      if (!ended) {
        ended = true;
        duplex.cancel();
      }
      if (!settled) {
        settled = true;
        return resolve(before);
      }
      if (sse.destroyed) return;
      if (after) sse.destroy(after);
      else sse.push(null);
    };
    const finish = () => {
      cleanup();
      if (ended) return;
      ended = true;
      if (settled) {
        sse.push(null);
        return;
      }
      settled = true;
      if (!stream) return resolve(jsonOutcome(collected, upstreamStart));
      const error = new GatewayError(
        502,
        'upstream_error',
        `Backend "${backend.name}" ended the stream before sending anything.`,
        {
          code: 'upstream_empty_stream',
        },
      );
      resolve({ kind: 'retry', reason: 'reset', error });
    };

    const onMessage = (message: ModelStreamInferResponse) => {
      if (message.error_message) {
        const text = backendText(message.error_message, backend);
        const error = new GatewayError(502, 'upstream_error', `Backend "${backend.name}": ${text}`, {
          code: 'upstream_error',
        });
        if (settled) emit({ error: text });
        return stop({ kind: 'retry', reason: '5xx', error }, undefined);
      }
      const response = message.infer_response;
      if (!response) return;
      // A tensor that cannot be read throws here: guarded() stops the call as a malformed answer.
      const piece = outputText(response, io.output.name);
      received += piece.bytes;
      if (received > options.maxResponseBytes) {
        const outcome = tooLarge(backend);
        return stop(outcome, midStream(outcome.error));
      }
      const final = isFinalResponse(response);
      phase = 'idle';
      if (!final) arm();
      if (!stream) {
        collected += piece.text;
      } else if (piece.text) {
        emit({ text_output: piece.text });
        if (!settled) {
          settled = true;
          const first = sse.read() as Buffer;
          resolve({
            kind: 'stream',
            body: sse,
            chunks: sse[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
            first,
            upstreamStart,
            headersAt: performance.now(),
          });
        }
      }
      if (final) {
        duplex.end();
        finish();
      }
    };
    const onError = (err: grpc.ServiceError) => {
      cleanup();
      if (!settled) {
        settled = true;
        ended = true;
        return resolve(failure(err, ctx, timedOut ?? 'call'));
      }
      // Already ended, or cancelled because the client left: nothing more to tell.
      if (sse.destroyed || sse.readableEnded || ended) return;
      ended = true;
      const error = timedOut === 'idle' ? upstreamTimeout('idle', backend.name, route.timeouts) : mapStatus(err, ctx).error;
      sse.destroy(error);
    };
    // Nothing thrown in a grpc-js callback may escape: it would be uncaught, and end the process.
    const guarded =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A) => {
        try {
          handler(...args);
        } catch (err) {
          const outcome = malformed(backend, err);
          stop(outcome, midStream(outcome.error));
        }
      };
    // After the last response, an error or a limit, whatever else the server sends is not read.
    duplex.on(
      'data',
      guarded((message: ModelStreamInferResponse) => {
        if (!ended) onMessage(message);
      }),
    );
    duplex.on('end', guarded(finish));
    duplex.on('error', guarded(onError));
    arm();
    duplex.write(request);
    // Half-close: the server still sends every response of this request.
    duplex.end();
  });
}

function jsonOutcome(text: string, upstreamStart: number): AttemptOutcome & { kind: 'json'; json: { text_output: string } } {
  const json = { text_output: text };
  return { kind: 'json', json, bytes: encoder.encode(JSON.stringify(json)), upstreamStart, bodyEnd: performance.now() };
}

/**
 * An answer the gateway cannot read (a BYTES tensor whose lengths run past its
 * bytes, say): like an HTTP backend's body that is not JSON, a 502 that
 * another backend may answer instead (it counts as a server error).
 */
function malformed(backend: CompiledBackend, err: unknown): Extract<AttemptOutcome, { kind: 'retry' }> {
  const what = err instanceof MalformedTensorError ? ` (${backendText(err.message, backend)})` : '';
  return {
    kind: 'retry',
    reason: '5xx',
    error: new GatewayError(
      502,
      'upstream_error',
      `Backend "${backend.name}" returned a response that is not a valid KServe v2 answer${what}.`,
      { code: 'upstream_malformed', cause: err },
    ),
  };
}

/** An answer over the size limit, as the HTTP transport reports one: 502, not retried (another backend would send as much). */
function tooLarge(backend: CompiledBackend): Extract<AttemptOutcome, { kind: 'fail' }> {
  return {
    kind: 'fail',
    backendHealthy: false,
    error: new GatewayError(502, 'upstream_error', `Backend "${backend.name}" sent an answer larger than the gateway's limit.`, {
      code: 'upstream_too_large',
    }),
  };
}

/** The same failure after the stream's first byte: it ends the stream (an error event), as nothing can fail over. */
function midStream(error: GatewayError): GatewayError {
  return new GatewayError(error.status, error.type, `${error.message.replace(/\.$/, '')}; the stream was ended.`, {
    code: error.code,
    cause: error.cause,
  });
}

/**
 * Text a backend wrote, as the client may see it: like an HTTP backend's
 * error text, cut to 500 characters, without the credentials the gateway sent
 * it (its key, its header values) or anything shaped like one.
 */
function backendText(text: string, backend: CompiledBackend): string {
  return scrub(text.trim().slice(0, BACKEND_TEXT_LIMIT), backendSecrets(backend)) || '(no details)';
}

function metadataFor(
  backend: CompiledBackend,
  requestId: string,
  extra: Readonly<Record<string, string>> | undefined,
): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('x-request-id', requestId);
  // The call's own headers (the W3C trace context) go as gRPC metadata, like the backend's.
  for (const [k, v] of Object.entries({ ...backend.headers, ...extra })) m.set(k.toLowerCase(), v);
  if (backend.apiKey) m.set('authorization', `Bearer ${backend.apiKey}`);
  return m;
}

/** A failed call before anything reached the client, as an attempt outcome. */
function failure(err: unknown, ctx: Attempt, stage: 'metadata' | 'call' | 'first-token' | 'idle'): AttemptOutcome {
  const { backend, route, call } = ctx;
  if (call.reason === 'client') return { kind: 'client_closed' };
  if (call.reason === 'timeout') {
    return {
      kind: 'fail',
      backendHealthy: false,
      error: upstreamTimeout('total', backend.name, route.timeouts),
    };
  }
  if (stage === 'first-token') {
    return { kind: 'retry', reason: 'timeout', error: upstreamTimeout('firstToken', backend.name, route.timeouts) };
  }
  // A decoupled model that stopped between responses of an answer collected whole (the gateway cancelled it).
  if (stage === 'idle') {
    return { kind: 'retry', reason: 'timeout', error: upstreamTimeout('idle', backend.name, route.timeouts) };
  }
  const mapped = mapStatus(err, ctx);
  return mapped.retry
    ? { kind: 'retry', reason: mapped.retry, error: mapped.error }
    : { kind: 'fail', error: mapped.error, backendHealthy: mapped.backendHealthy };
}

/** Error codes of a failed connection, safe to name to a client (no address in them). */
const CONNECTION_CODES =
  /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|EPROTO|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID)\b/;

/**
 * gRPC status -> what the client sees and whether another backend may try:
 * UNAVAILABLE is a connect failure (502, fail over), DEADLINE_EXCEEDED a
 * timeout (504), INVALID_ARGUMENT the request's fault (400 with the
 * server's message), RESOURCE_EXHAUSTED a rate limit (429).
 *
 * The details of UNAVAILABLE, CANCELLED and DEADLINE_EXCEEDED are mostly
 * grpc-js's own ("No connection established. Last error: connect
 * ECONNREFUSED 10.0.3.7:8001"): the client gets the status and a connection
 * error code, the log the details. What a server wrote for other statuses
 * reaches the client as an HTTP backend's text does (backendText).
 */
function mapStatus(err: unknown, ctx: Attempt): { error: GatewayError; retry?: RetryOn; backendHealthy: boolean } {
  const { backend, route } = ctx;
  const status = (err as Partial<grpc.ServiceError> | undefined)?.code;
  if (typeof status !== 'number') {
    // Not a gRPC status: the gateway's own reason (a model without a text input or output).
    const text = backendText(err instanceof Error ? err.message : String(err), backend);
    return {
      error: new GatewayError(502, 'upstream_error', `Backend "${backend.name}": ${text}.`, {
        code: 'upstream_error',
        cause: err,
      }),
      retry: '5xx',
      backendHealthy: false,
    };
  }
  const serviceError = err as grpc.ServiceError;
  const details = serviceError.details || serviceError.message || '';
  const name = grpc.status[status] ?? String(status);
  /** The details go to the log only; the client gets the status (and a connection error code). */
  const withheld = () => {
    ctx.options.log.warn(
      { backend: backend.name, requestId: ctx.requestId, grpcStatus: name, details: details.slice(0, 1000) },
      'gRPC call to a backend failed; the client was told the status only',
    );
    const code = CONNECTION_CODES.exec(details)?.[1];
    return `gRPC ${name}${code ? `, ${code}` : ''}`;
  };
  const shown = () => backendText(details, backend);
  const upstream = (message: string, code = 'upstream_error') =>
    new GatewayError(502, 'upstream_error', message, { code, cause: err });
  switch (status) {
    case grpc.status.UNAVAILABLE:
      return {
        error: upstream(`Backend "${backend.name}" is unavailable (${withheld()}).`, 'upstream_unavailable'),
        retry: 'connect-error',
        backendHealthy: false,
      };
    case grpc.status.DEADLINE_EXCEEDED:
      withheld();
      return {
        error: upstreamTimeout('total', backend.name, route.timeouts, err),
        retry: 'timeout',
        backendHealthy: false,
      };
    case grpc.status.CANCELLED:
      return {
        error: upstream(`Backend "${backend.name}" ended the call (${withheld()}).`),
        retry: '5xx',
        backendHealthy: false,
      };
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.OUT_OF_RANGE:
      return {
        error: new GatewayError(400, 'invalid_request_error', shown(), { code: 'upstream_rejected', cause: err }),
        backendHealthy: true,
      };
    case grpc.status.RESOURCE_EXHAUSTED:
      // grpc-js refusing a message over the channel's receive limit (set from maxResponseBytes).
      if (details.startsWith('Received message larger than max')) {
        return { error: tooLarge(backend).error, backendHealthy: false };
      }
      return {
        error: new GatewayError(429, 'rate_limit_error', `Backend "${backend.name}" is overloaded: ${shown()}`, {
          code: 'upstream_rate_limited',
          cause: err,
        }),
        retry: '429',
        backendHealthy: true,
      };
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      // The server's details may quote the credential: the client gets a generic message, the log the rest.
      return {
        error: new GatewayError(
          502,
          'upstream_error',
          `Backend "${backend.name}" rejected the gateway's credentials (gRPC ${name}). The gateway log has the server's message.`,
          { code: 'upstream_auth_failed', cause: new UpstreamDetail(status, details) },
        ),
        backendHealthy: false,
      };
    case grpc.status.NOT_FOUND:
    case grpc.status.UNIMPLEMENTED:
      // The gateway's configuration for this backend is wrong (model name, protocol).
      return { error: upstream(`Backend "${backend.name}" answered gRPC ${name}: ${shown()}`), backendHealthy: false };
    default:
      return {
        error: upstream(`Backend "${backend.name}" answered gRPC ${name}: ${shown()}`),
        retry: '5xx',
        backendHealthy: false,
      };
  }
}
