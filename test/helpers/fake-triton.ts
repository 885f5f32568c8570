import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A simulated Triton server speaking the HTTP generate extension of a
 * TensorRT-LLM ensemble: text_input in, text_output out, one SSE event per
 * piece on generate_stream, and the v2 readiness endpoint.
 */
export async function startFakeTriton(): Promise<{
  url: string;
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v2/health/ready') return res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      requests.push({ path: req.url ?? '', body });
      const model = /\/v2\/models\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '';
      if (model !== 'ensemble')
        return res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `Request for unknown model: '${model}' is not found` }));
      const pieces = ['Triton', ' says', ' hello'];
      if (req.url?.endsWith('/generate')) {
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ model_name: 'ensemble', model_version: '1', text_output: pieces.join('') }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const p of pieces)
        res.write(`data: ${JSON.stringify({ model_name: 'ensemble', model_version: '1', text_output: p })}\n\n`);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
