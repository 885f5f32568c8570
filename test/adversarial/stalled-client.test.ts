import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, routeYaml, startHarness, type Harness } from '../helpers/harness.js';
import { chatAnswer, json, startHostileBackend, type HostileBackend } from '../helpers/hostile-backend.js';

// A client that opens a stream and then never reads it keeps its connection
// open, so the gateway never gets to pull the next chunk. The route's total
// time limit must still end the call: its concurrency slot goes back (another
// request is admitted) and the stalled connection is closed.

const chunk = {
  id: 's',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'flood',
  choices: [{ index: 0, delta: { content: 'x'.repeat(1000) }, finish_reason: null }],
};
// 64 KiB-ish of whole events per write.
const EVENTS = `data: ${JSON.stringify(chunk)}\n\n`.repeat(64);

let backend: HostileBackend;
let h: Harness;
/** Resolves when the backend sees a streaming request's connection close (the gateway aborted it). */
let streamClosed: Promise<void>;

beforeAll(async () => {
  let closed!: () => void;
  streamClosed = new Promise((r) => (closed = r));
  backend = await startHostileBackend(async (_req, res, body) => {
    if (!body.stream) return json(res, 200, chatAnswer());
    res.on('close', closed);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Endless, as fast as the gateway takes it: a client that stops reading backs this up.
    while (!res.destroyed) {
      if (res.write(EVENTS)) continue;
      await new Promise<void>((r) => {
        const go = () => {
          res.off('drain', go).off('close', go);
          r();
        };
        res.on('drain', go).on('close', go);
      });
    }
  });
  h = await startHarness(
    () =>
      routeYaml(
        'one',
        [{ name: 'only', url: backend.url, extra: '      maxConcurrency: 1\n      maxQueue: 0\n' }],
        '  resilience:\n    retryOn: []\n    timeouts: { total: 1s }\n',
      ),
    [],
  );
});
afterAll(async () => {
  await h.close();
  await backend.close();
});

/** Opens a streaming request on a raw socket and never reads from it. */
function stalledStream(url: string): Socket {
  const { hostname, port } = new URL(url);
  const body = chatBody('one', { stream: true });
  const socket = connect(Number(port), hostname, () => {
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  socket.pause();
  return socket;
}

describe('a client that stops reading a stream', () => {
  it('gives its concurrency slot back at the total time limit, and its connection is closed', async () => {
    // The gateway's side of the stalled client's connection.
    const accepted = new Promise<Socket>((r) => h.gateway.server.server.once('connection', r));
    const stalled = stalledStream(h.url);
    stalled.on('error', () => undefined);
    const gatewaySide = await accepted;
    const closedByGateway = new Promise<void>((r) => gatewaySide.once('close', () => r()));
    // The total time limit aborted the backend request: the call is over.
    await streamClosed;

    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('one'),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe('hostile');

    // The client still reads nothing, yet the gateway lets go of its connection.
    await closedByGateway;
    stalled.destroy();
  });
});
