import type { AddressInfo } from 'node:net';
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
  });
}
