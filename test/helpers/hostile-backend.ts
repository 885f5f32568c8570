import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a hostile backend answers one request (it has read the request body). */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void | Promise<void>;

export interface HostileBackend {
  url: string;
  /** Change the behaviour between requests. */
  behave(b: Behaviour): void;
  /** Requests received. */
  requests: number;
  /** Bytes written into response bodies before their connection ended (what the gateway made it send). */
  bytesWritten: number;
  close(): Promise<void>;
}

/**
 * A backend that answers however a test says: garbage, huge bodies, a JSON
 * answer to a streaming request, hangs, resets. For the hostile-backend
 * suite; the normal simulated backend is `switchboard mock-backend`.
 */
export async function startHostileBackend(initial: Behaviour): Promise<HostileBackend> {
  let behaviour = initial;
  const sockets = new Set<Socket>();
  const state = { requests: 0, bytesWritten: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // hostile: answer anyway
      }
      const write = res.write.bind(res);
      res.write = ((chunk: string | Buffer, ...rest: never[]) => {
        state.bytesWritten += Buffer.byteLength(chunk);
        return write(chunk, ...rest);
      }) as typeof res.write;
      void Promise.resolve(behaviour(req, res, body)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    behave(b: Behaviour) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
}

/** A well-formed chat completion, for behaviours that are hostile elsewhere. */
export function chatAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'hostile-1',
    object: 'chat.completion',
    created: 0,
    model: 'hostile',
    choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    ...extra,
  };
}

export const json = (res: ServerResponse, status: number, value: unknown): void => {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** Writes `total` bytes of `piece` as fast as the reader takes them, then ends. */
export async function writeHuge(res: ServerResponse, piece: string, total: number): Promise<void> {
  const buf = Buffer.from(piece.repeat(Math.ceil(65536 / piece.length)));
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const ok = res.write(buf);
    sent += buf.length;
    if (!ok)
      await new Promise<void>((r) => {
        const done = () => {
          res.off('drain', done).off('close', done);
          r();
        };
        res.on('drain', done).on('close', done);
      });
  }
  res.end();
}
