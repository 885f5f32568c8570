import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

const errorBody = (message: string, code: string) =>
  JSON.stringify({ error: { message, type: 'invalid_request_error', code, param: null } });

/**
 * Serves a Hono app on Node's HTTP server; resolves once it is listening.
 * Every malformed request gets an OpenAI-shaped answer: those Node's parser
 * rejects (`clientError`), and those it accepts but no URL can be built from
 * (a missing or invalid Host header), which @hono/node-server would answer
 * with an empty text/plain 400.
 */
export function listen(
  app: Hono,
  opts: { port: number; host?: string; maxHeaderBytes?: number | undefined },
): Promise<RunningServer> {
  const host = opts.host ?? '0.0.0.0';
  const listener = getRequestListener(app.fetch, {
    errorHandler: () =>
      new Response(errorBody('Malformed HTTP request: the Host header is missing or invalid.', 'bad_request'), {
        status: 400,
        headers: { 'content-type': 'application/json', connection: 'close' },
      }),
  });
  // Host is checked by the listener above (with an OpenAI-shaped error), not by Node (empty body).
  const server = createServer({ maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024, requireHostHeader: false }, (req, res) => {
    void listener(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.on('clientError', answerClientError);
    server.listen(opts.port, host, () => {
      const info = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        server,
        port: info.port,
        url: `http://${shown}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

/**
 * Requests Node's HTTP parser rejects before the app sees them (headers over
 * the limit, malformed request lines) still get an OpenAI-shaped error.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request headers are larger than the limit.']
      : [400, 'Bad Request', 'Malformed HTTP request.'];
  const body = errorBody(message, status === 431 ? 'headers_too_large' : 'bad_request');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
