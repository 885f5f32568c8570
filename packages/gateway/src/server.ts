import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  server: ServerType;
  port: number;
  url: string;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

/** Serves a Hono app on Node's HTTP server; resolves once it is listening. */
export function listen(
  app: Hono,
  opts: { port: number; host?: string; maxHeaderBytes?: number | undefined },
): Promise<RunningServer> {
  const host = opts.host ?? '0.0.0.0';
  return new Promise((resolve, reject) => {
    const serverOptions = { maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024 };
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: host, serverOptions }, (info: AddressInfo) => {
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        server,
        port: info.port,
        url: `http://${shown}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
    server.on('clientError', answerClientError);
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
  const body = JSON.stringify({
    error: { message, type: 'invalid_request_error', code: status === 431 ? 'headers_too_large' : 'bad_request', param: null },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
