import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// Simulated upstreams that speak each provider's own wire format (OpenAI
// chat completions and Responses, Azure OpenAI's deployment URLs and v1
// Responses, Anthropic Messages), for the shared provider suite. Each records what it received and can be told to fail.

export type Flavor = 'openai' | 'azure' | 'anthropic';

export interface FakeUpstream {
  url: string;
  requests: { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[];
  failWith: number | undefined;
  /** Streams whose client went away before the end. */
  abandoned: number;
  close(): Promise<void>;
}

const TEXT = ['Hello', ' from', ' the', ' fake', ' upstream', '.'];
const TOOL = { id: 'call_1', name: 'get_weather', args: '{"location":"Paris"}' };

export async function startFakeUpstream(flavor: Flavor, opts: { slow?: boolean } = {}): Promise<FakeUpstream> {
  const state: Omit<FakeUpstream, 'url' | 'close'> = { requests: [], failWith: undefined, abandoned: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      state.requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.on('close', () => {
        if (!res.writableFinished) state.abandoned++;
      });
      if (state.failWith) {
        const error =
          flavor === 'anthropic'
            ? { type: 'error', error: { type: 'api_error', message: 'fake failure' } }
            : { error: { message: 'fake failure', type: 'server_error' } };
        res.writeHead(state.failWith, { 'content-type': 'application/json' }).end(JSON.stringify(error));
        return;
      }
      const tools = Array.isArray(body.tools) && body.tools.length > 0;
      const responsesApi = (req.url ?? '').split('?')[0]?.endsWith('/responses') && flavor !== 'anthropic';
      void (flavor === 'anthropic'
        ? anthropic(body, tools, res, opts.slow)
        : responsesApi
          ? responses(body, tools, res)
          : openai(body, tools, res, opts.slow));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return Object.assign(state, {
    url: flavor === 'azure' ? base : `${base}/v1`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

const pause = (slow?: boolean) => new Promise((r) => setTimeout(r, slow ? 100 : 0));

async function openai(body: Record<string, unknown>, tools: boolean, res: ServerResponse, slow?: boolean) {
  const usage = { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 };
  const base = { id: 'chatcmpl-fake', created: 1, model: typeof body.model === 'string' ? body.model : 'deployment' };
  if (!body.stream) {
    const message = tools
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: TOOL.id, type: 'function', function: { name: TOOL.name, arguments: TOOL.args } }],
        }
      : { role: 'assistant', content: TEXT.join('') };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop', logprobs: null }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (delta: object, finish: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`,
    );
  send({ role: 'assistant', content: '' });
  if (tools)
    send({ tool_calls: [{ index: 0, id: TOOL.id, type: 'function', function: { name: TOOL.name, arguments: TOOL.args } }] });
  else
    for (const t of TEXT) {
      if (res.destroyed) return;
      await pause(slow);
      send({ content: t });
    }
  send({}, tools ? 'tool_calls' : 'stop');
  res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

async function anthropic(body: Record<string, unknown>, tools: boolean, res: ServerResponse, slow?: boolean) {
  const model = typeof body.model === 'string' ? body.model : '';
  if (!body.stream) {
    const content = tools
      ? [{ type: 'tool_use', id: TOOL.id, name: TOOL.name, input: JSON.parse(TOOL.args) as unknown }]
      : [{ type: 'text', text: TEXT.join('') }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: tools ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 6 },
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('message_start', {
    message: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      content: [],
      model,
      usage: { input_tokens: 11, output_tokens: 1 },
    },
  });
  if (tools) {
    send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: TOOL.id, name: TOOL.name, input: {} } });
    send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: TOOL.args } });
  } else {
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('ping', {});
    for (const t of TEXT) {
      if (res.destroyed) return;
      await pause(slow);
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } });
    }
  }
  send('content_block_stop', { index: 0 });
  send('message_delta', {
    delta: { stop_reason: tools ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: 6 },
  });
  res.end(`event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`);
}

/** OpenAI's Responses API: one message (or function call) item, usage with cached tokens; streamed as its events. */
function responses(body: Record<string, unknown>, tools: boolean, res: ServerResponse) {
  const item = tools
    ? { id: 'fc_fake', type: 'function_call', status: 'completed', call_id: TOOL.id, name: TOOL.name, arguments: TOOL.args }
    : {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: TEXT.join(''), annotations: [] }],
      };
  const response = (status: string, output: unknown[], usage: unknown = null) => ({
    id: 'resp_upstream',
    object: 'response',
    created_at: 1,
    status,
    model: typeof body.model === 'string' ? body.model : '',
    output,
    usage,
  });
  const usage = {
    input_tokens: 11,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens: 6,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 17,
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response('completed', [item], usage)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let seq = 0;
  const send = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  send('response.created', { response: response('in_progress', []) });
  if (tools) {
    send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    send('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: TOOL.args });
    send('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: TOOL.args });
  } else {
    send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    const part = { type: 'output_text', text: '', annotations: [] };
    send('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part });
    for (const t of TEXT) send('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: t });
    send('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text: TEXT.join('') });
    send('response.content_part.done', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { ...part, text: TEXT.join('') },
    });
  }
  send('response.output_item.done', { output_index: 0, item });
  send('response.completed', { response: response('completed', [item], usage) });
  res.end();
}
