import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddingsClient } from './embeddings.js';
import { TritonClassifier } from './triton-classifier.js';

// The embeddings server and the Triton classifier are named by route authors,
// so they are untrusted: what they answer must not leak the key they were
// sent, nor steer routing with numbers that are not numbers.

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const KEY = 'Zq9InternalEmbeddingsCredential';

function embeddings(endpoint: string): EmbeddingsClient {
  return new EmbeddingsClient({ endpoint, model: 'e', apiKey: KEY, dimensions: undefined, timeoutMs: 5000 });
}

describe('EmbeddingsClient against an untrusted server', () => {
  it('an error that echoes the request keeps neither the key nor the URL password', async () => {
    const url = await serve((req, _body, res) =>
      json(res, 400, { error: `bad request from ${req.headers.authorization}; raw ${KEY}` }),
    );
    const withPassword = url.replace('http://', 'http://user:s3cretpassword@');
    const err = (await embeddings(withPassword)
      .embed(['hi'])
      .catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/HTTP 400/);
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain('s3cretpassword');
  });

  it('refuses indices outside the batch, repeated or not integers, and numbers that are not finite', async () => {
    const answers: unknown[] = [
      [{ index: 1e9, embedding: [1] }],
      [{ index: '__proto__', embedding: [1] }],
      [
        { index: 0, embedding: [1] },
        { index: 0, embedding: [2] },
      ],
      [{ embedding: ['x'] }],
      [{ embedding: [1, null] }],
    ];
    for (const data of answers) {
      const texts = (data as unknown[]).map(() => 't');
      const url = await serve((_req, _body, res) => json(res, 200, { data }));
      await expect(embeddings(url).embed(texts), JSON.stringify(data)).rejects.toThrow(/index|finite numbers/);
    }
    const url = await serve((_req, _body, res) =>
      json(res, 200, {
        data: [
          { index: 1, embedding: [2, 3] },
          { index: 0, embedding: [0, 1] },
        ],
      }),
    );
    expect((await embeddings(url).embed(['a', 'b'])).map((v) => [...v])).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });
});

function triton(endpoint: string): TritonClassifier {
  return new TritonClassifier({
    endpoint,
    model: 'task_router',
    input: undefined,
    output: undefined,
    labels: ['code', 'chat'],
    timeoutMs: 5000,
  });
}

/** A KServe v2 HTTP server whose classifier answers `data`. */
function classifierServer(data: unknown): Promise<string> {
  return serve((req, _body, res) => {
    if (req.method === 'GET') {
      json(res, 200, { inputs: [{ name: 'text', shape: [-1] }], outputs: [{ name: 'scores' }] });
    } else {
      json(res, 200, { outputs: [{ name: 'scores', data }] });
    }
  });
}

describe('TritonClassifier against an untrusted server', () => {
  it('refuses scores that are not finite numbers instead of routing every prompt to the first class', async () => {
    for (const data of [['x', 0.2], [null, 0.9], [true, 0.1], 'scores']) {
      await expect(triton(await classifierServer(data)).classify('hi'), JSON.stringify(data)).rejects.toThrow(
        /not a finite number|not a list/,
      );
    }
  });

  it('turns logits into probabilities and keeps a distribution', async () => {
    expect(await triton(await classifierServer([0.25, 0.75])).classify('hi')).toEqual([0.25, 0.75]);
    const [code, chat] = await triton(await classifierServer([2, 0])).classify('hi');
    expect(code).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(chat).toBeCloseTo(1 - (code as number), 6);
  });
});
