import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { relaySse, type RelayOptions } from './relay-stream.js';

const CHUNK = 'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n';
const DONE = 'data: [DONE]\n\n';

const error = (code: string, status = 502) => new GatewayError(status, 'upstream_error', code, { code });

/** A relay over a real Readable body (the backend), its onEnd calls recorded. */
function relay(extra: Partial<RelayOptions> = {}) {
  const body = new PassThrough();
  const ends: { outcome: string; code?: string | null | undefined }[] = [];
  let ended!: () => void;
  const onEnded = new Promise<void>((r) => (ended = r));
  const stream = relaySse({
    body,
    chunks: body[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
    first: Buffer.from(CHUNK),
    tap: {
      onEvent: () => undefined,
      onEnd: (outcome, err) => {
        ends.push({ outcome, code: err?.code });
        ended();
      },
    },
    errors: {
      transport: (err) =>
        (err as Error | undefined)?.name === 'TimeoutError' ? error('upstream_timeout', 504) : error('upstream_unavailable'),
      malformed: () => error('upstream_malformed'),
      lineTooLong: () => error('upstream_too_large'),
      incomplete: () => error('upstream_incomplete'),
    },
    maxLineBytes: 1024,
    done: (event) => event.data === '[DONE]',
    usage: () => ({ promptTokens: 0, completionTokens: 0 }),
    errorFrame: (err) => `data: ${JSON.stringify({ error: { code: err.code } })}\n\n`,
    ...extra,
  });
  return { body, stream, ends, onEnded };
}

/** A call as CallSignal exposes it, aborted by hand. */
function call() {
  const controller = new AbortController();
  const state: { reason: 'client' | 'timeout' | undefined } = { reason: undefined };
  return {
    signal: controller.signal,
    get reason() {
      return state.reason;
    },
    abort(reason: 'client' | 'timeout') {
      state.reason = reason;
      controller.abort(reason === 'timeout' ? new DOMException('total timeout', 'TimeoutError') : undefined);
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** What is left to read, to the end. */
async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  return text;
}

describe('relaySse ends once on every way out', () => {
  it('a complete stream', async () => {
    const { body, stream, ends } = relay({ call: call() });
    body.end(DONE);
    expect(await readAll(stream)).toBe(CHUNK + DONE);
    expect(ends).toEqual([{ outcome: 'ok', code: undefined }]);
  });

  it('the client cancelling', async () => {
    const c = call();
    const { stream, ends, body } = relay({ call: c });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    // The abort that follows the client leaving (CallSignal's) changes nothing.
    c.abort('client');
    expect(ends).toEqual([{ outcome: 'client_closed', code: undefined }]);
    expect(body.destroyed).toBe(true);
  });

  it('the backend failing mid-stream', async () => {
    const { body, stream, ends } = relay({ call: call() });
    const reader = stream.getReader();
    await reader.read();
    body.destroy(new Error('reset'));
    expect(await rest(reader)).toContain('upstream_unavailable');
    expect(ends).toEqual([{ outcome: 'error', code: 'upstream_unavailable' }]);
  });
});

describe('relaySse and the call being aborted', () => {
  it('ends a stream nobody reads at the time limit: onEnd runs, the backend is dropped, the stream closes', async () => {
    const c = call();
    const { body, stream, ends, onEnded } = relay({ call: c });
    const reader = stream.getReader();
    await reader.read();
    // The client stops reading: no pull() comes after this one.
    body.write(CHUNK);
    c.abort('timeout');
    await onEnded;
    expect(ends).toEqual([{ outcome: 'error', code: 'upstream_timeout' }]);
    expect(body.destroyed).toBe(true);
    // What the client gets if it ever reads again: the error event (after a break, as the bytes pass through), then the end.
    expect(await rest(reader)).toBe('\n\ndata: {"error":{"code":"upstream_timeout"}}\n\n');
    expect(ends).toHaveLength(1);
  });

  it('ends a stream waiting on its backend once, however the wait then ends', async () => {
    const c = call();
    const { body, stream, ends } = relay({ call: c });
    const reader = stream.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(CHUNK);
    // This read waits for the backend's next chunk.
    const waiting = reader.read();
    c.abort('timeout');
    // The backend's body fails as undici's does on the abort.
    body.destroy(c.signal.reason as Error);
    const next = await waiting;
    expect(new TextDecoder().decode(next.value)).toContain('"upstream_timeout"');
    expect((await reader.read()).done).toBe(true);
    expect(ends).toEqual([{ outcome: 'error', code: 'upstream_timeout' }]);
  });

  it('the client leaving is client_closed', async () => {
    const c = call();
    const { stream, ends } = relay({ call: c });
    c.abort('client');
    expect(ends).toEqual([{ outcome: 'client_closed', code: undefined }]);
    await stream.cancel();
    expect(ends).toHaveLength(1);
  });

  it('a call aborted before the stream started ends it at once', async () => {
    const c = call();
    c.abort('timeout');
    const { stream, ends } = relay({ call: c });
    expect(ends).toEqual([{ outcome: 'error', code: 'upstream_timeout' }]);
    expect(await readAll(stream)).toContain('"upstream_timeout"');
  });

  it('an abort after the stream ended changes nothing', async () => {
    const c = call();
    const { body, stream, ends } = relay({ call: c });
    body.end(DONE);
    await readAll(stream);
    c.abort('timeout');
    expect(ends).toEqual([{ outcome: 'ok', code: undefined }]);
  });
});

describe('relaySse and the line limit', () => {
  /** A body of `n` chunks, each many short `data:` lines of one event that never ends; counts what was read. */
  function openEvent(n: number) {
    const chunk = Buffer.from('data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n'.repeat(8));
    const state = { read: 0 };
    const chunks: AsyncIterator<Buffer> = {
      next: () => {
        if (state.read >= n) return Promise.resolve({ done: true, value: undefined });
        state.read++;
        return Promise.resolve({ done: false, value: chunk });
      },
    };
    return { chunks, state, chunkBytes: chunk.length };
  }

  it('bounds an event of many short data lines by the limit', async () => {
    const { chunks, state, chunkBytes } = openEvent(10_000);
    const { stream, ends } = relay({ chunks, first: Buffer.alloc(0), maxLineBytes: 1024 });
    const text = await readAll(stream);
    expect(text).toContain('"upstream_too_large"');
    expect(ends).toEqual([{ outcome: 'error', code: 'upstream_too_large' }]);
    // Reading stopped at the limit, not at the body's end.
    expect(state.read * chunkBytes).toBeLessThanOrEqual(1024 + chunkBytes);
  });

  it('keeps a many-line event within the limit', async () => {
    const event = 'data: {"choices":\ndata: [{"index":0,\ndata: "delta":{"content":"a"}}]}\n\n';
    const { body, stream, ends } = relay({ first: Buffer.from(event), maxLineBytes: event.length });
    body.end(DONE);
    expect(await readAll(stream)).toBe(event + DONE);
    expect(ends).toEqual([{ outcome: 'ok', code: undefined }]);
  });
});
