import { describe, expect, it } from 'vitest';
import { backend, chatAnswer, inProcess, KEY, OTHER_KEY, type InProcess } from '../../fixtures/in-process.fixture.js';

// The Responses door in process: the real app and pipeline, a scripted
// transport behind. The official SDK against a real server is in
// test/conformance/responses.test.ts.

type Obj = Record<string, unknown>;
interface Item {
  id: string;
  type: string;
  role?: string;
  call_id?: string;
  arguments?: string;
  content: { type: string; text: string }[] | string;
}
interface ResponseJson {
  id: string;
  status: string;
  store: boolean;
  previous_response_id: string | null;
  output: Item[];
  usage: { input_tokens: number; output_tokens: number; input_tokens_details: { cached_tokens: number } };
  incomplete_details: unknown;
}
interface EventData {
  type: string;
  sequence_number: number;
  response: ResponseJson;
  item: Item;
  text?: string;
  error: { code: string };
}
interface ErrorJson {
  error: { code: string; message: string };
}
const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

const chunk = (delta: Obj, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'a-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'a-model', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

/** SSE text -> [event name, data] in order. */
function events(text: string): [string, EventData][] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return [event, JSON.parse(data) as EventData];
    });
}

const get = (gw: InProcess, path: string, key = KEY, method = 'GET') =>
  Promise.resolve(gw.app.request(path, { method, headers: { authorization: `Bearer ${key}` } }));

async function gateway(extra: Obj = {}) {
  return inProcess({ main: { backends: [backend('a', extra)] } }, { auth: true });
}

describe('POST /v1/responses (translated to chat completions)', () => {
  it('sends instructions and input as chat messages and answers with a Response object', async () => {
    const gw = await gateway();
    const res = await gw.post('/v1/responses', {
      model: 'main',
      instructions: 'Be brief.',
      input: 'Hello!',
      max_output_tokens: 50,
      temperature: 0.2,
      metadata: { team: 'x' },
    });
    expect(res.status).toBe(200);
    const body = await json<ResponseJson>(res);
    const sent = gw.transport.calls[0]!;
    expect(sent.path).toBe('chat/completions');
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello!' },
    ]);
    expect(sent.body.max_completion_tokens).toBe(50);
    expect(sent.body.metadata).toBeUndefined();
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      metadata: { team: 'x' },
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'from a' }] }],
      usage: { input_tokens: 10, output_tokens: 3, total_tokens: 13 },
    });
    expect(body.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(res.headers.get('x-switchboard-backend')).toBe('a');
  });

  it('translates function tools, tool_choice, JSON schema output and reasoning effort', async () => {
    const gw = await gateway();
    gw.transport.answer('a', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    }));
    const tool = {
      type: 'function',
      name: 'weather',
      description: 'Weather now',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    };
    const res = await gw.post('/v1/responses', {
      model: 'main',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] }],
      tools: [tool],
      tool_choice: { type: 'function', name: 'weather' },
      text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low' },
    });
    const body = await json<ResponseJson>(res);
    const sent = gw.transport.calls[0]!.body;
    expect(sent.tools).toEqual([
      { type: 'function', function: { name: 'weather', description: 'Weather now', parameters: tool.parameters } },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'function', function: { name: 'weather' } });
    expect(sent.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'w', schema: { type: 'object' }, strict: true },
    });
    expect(sent.reasoning_effort).toBe('low');
    expect(sent.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] }]);
    expect(body.output).toMatchObject([
      { type: 'function_call', status: 'completed', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
    ]);
    expect(body.output[0]!.id).toMatch(/^fc_/);
  });

  it('continues a stored conversation with previous_response_id: earlier turns go to the backend as messages', async () => {
    const gw = await gateway();
    const first = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'My name is Ada.' }));
    gw.transport.answer('a', (call) => ({
      json: chatAnswer(call.backend, {
        choices: [{ index: 0, message: { role: 'assistant', content: 'Ada' }, finish_reason: 'stop' }],
      }),
    }));
    const second = await json<ResponseJson>(
      gw.post('/v1/responses', { model: 'main', input: 'What is my name?', previous_response_id: first.id }),
    );
    expect(second.previous_response_id).toBe(first.id);
    expect(gw.transport.calls[1]!.body.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: [{ type: 'text', text: 'from a' }] },
      { role: 'user', content: 'What is my name?' },
    ]);
    // A function call and its output, given as items, continue the same way.
    const third = await gw.post('/v1/responses', {
      model: 'main',
      previous_response_id: second.id,
      input: [
        { type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_9', output: 'found' },
      ],
    });
    expect(third.status).toBe(200);
    expect((gw.transport.calls[2]!.body.messages as unknown[]).slice(-2)).toEqual([
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Ada' }],
        tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_9', content: 'found' },
    ]);
  });

  it('retrieves, lists the input items of, and deletes a stored response', async () => {
    const gw = await gateway();
    const first = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'one' }));
    const second = await json<ResponseJson>(
      gw.post('/v1/responses', { model: 'main', input: 'two', previous_response_id: first.id }),
    );
    const got = await get(gw, `/v1/responses/${second.id}`);
    expect(got.status).toBe(200);
    expect((await json<ResponseJson>(got)).id).toBe(second.id);
    const items = await json<{ data: Item[] }>(get(gw, `/v1/responses/${second.id}/input_items?order=asc`));
    expect(items.data.map((i: Item) => i.type)).toEqual(['message', 'message', 'message']);
    expect(items.data.map((i: Item) => i.role)).toEqual(['user', 'assistant', 'user']);
    expect(items.data.every((i: Item) => typeof i.id === 'string')).toBe(true);
    const paged = await json<{ data: Item[]; has_more: boolean }>(get(gw, `/v1/responses/${second.id}/input_items?limit=1`));
    expect(paged.data[0]?.content).toBe('two');
    expect(paged.has_more).toBe(true);
    const deleted = await get(gw, `/v1/responses/${second.id}`, KEY, 'DELETE');
    expect(await deleted.json()).toEqual({ id: second.id, object: 'response', deleted: true });
    expect((await get(gw, `/v1/responses/${second.id}`)).status).toBe(404);
  });

  it('keeps nothing with store: false', async () => {
    const gw = await gateway();
    const res = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'x', store: false }));
    expect(res.store).toBe(false);
    expect((await get(gw, `/v1/responses/${res.id}`)).status).toBe(404);
    const next = await gw.post('/v1/responses', { model: 'main', input: 'y', previous_response_id: res.id });
    expect(next.status).toBe(400);
  });

  it("keeps each tenant's responses to itself: another tenant's id reads, continues and deletes nothing", async () => {
    const gw = await gateway();
    const mine = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'secret plan' }));
    const unknown = await get(gw, '/v1/responses/resp_00000000000000000000000000000000', OTHER_KEY);
    const theirs = await get(gw, `/v1/responses/${mine.id}`, OTHER_KEY);
    expect(theirs.status).toBe(404);
    // The same answer as for an id that never existed: no oracle.
    expect(await theirs.json()).toEqual({
      error: { ...(await json<ErrorJson>(unknown)).error, message: `No response found with id '${mine.id}'.` },
    });
    expect((await get(gw, `/v1/responses/${mine.id}/input_items`, OTHER_KEY)).status).toBe(404);
    expect((await get(gw, `/v1/responses/${mine.id}`, OTHER_KEY, 'DELETE')).status).toBe(404);
    const continued = await gw.post(
      '/v1/responses',
      { model: 'main', input: 'and?', previous_response_id: mine.id },
      { authorization: `Bearer ${OTHER_KEY}` },
    );
    expect(continued.status).toBe(400);
    expect((await json<ErrorJson>(continued)).error.code).toBe('previous_response_not_found');
    expect(gw.transport.calls).toHaveLength(1);
    // Still there for its owner.
    expect((await get(gw, `/v1/responses/${mine.id}`)).status).toBe(200);
  });

  it('counts input tokens with the native tokenizer, earlier turns and tools included', async () => {
    const gw = await gateway();
    const count = async (body: Obj) =>
      (await json<{ input_tokens: number }>(gw.post('/v1/responses/input_tokens', { model: 'main', ...body }))).input_tokens;
    const short = await count({ input: 'Hi' });
    const long = await count({ input: 'Hi there, how are you doing on this fine morning?' });
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short);
    const tools = await count({ input: 'Hi', tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] });
    expect(tools).toBeGreaterThan(short);
    expect(gw.transport.calls).toHaveLength(0);
  });
});

describe('POST /v1/responses, streaming', () => {
  it('emits the Responses event sequence for text, with sequence numbers and usage', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({
      sse: [
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hel' }),
        chunk({ content: 'lo' }),
        chunk({}, 'stop'),
        usageChunk(7, 2),
        'data: [DONE]\n\n',
      ],
    }));
    const res = await gw.post('/v1/responses', { model: 'main', input: 'Hi', stream: true });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const got = events(await res.text());
    expect(got.map(([e]) => e)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(got.map(([, d]) => d.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got.every(([e, d]) => d.type === e)).toBe(true);
    expect(got[6]![1].text).toBe('Hello');
    const completed = got[9]![1].response;
    expect(completed.status).toBe('completed');
    expect(completed.usage).toMatchObject({ input_tokens: 7, output_tokens: 2 });
    expect(completed.output[0]?.content).toMatchObject([{ type: 'output_text', text: 'Hello' }]);
    // Stored before the client heard it was complete.
    expect((await get(gw, `/v1/responses/${completed.id}`)).status).toBe(200);
  });

  it('streams tool calls as function_call items with argument deltas', async () => {
    const gw = await gateway();
    const call = (index: number, fn: Obj, id?: string) =>
      chunk({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });
    gw.transport.answer('a', () => ({
      sse: [
        chunk({ role: 'assistant', content: 'Checking.' }),
        call(0, { name: 'a', arguments: '' }, 'call_a'),
        call(0, { arguments: '{"x":' }),
        call(0, { arguments: '1}' }),
        call(1, { name: 'b', arguments: '{}' }, 'call_b'),
        chunk({}, 'tool_calls'),
        usageChunk(5, 5),
        'data: [DONE]\n\n',
      ],
    }));
    const res = await gw.post('/v1/responses', {
      model: 'main',
      input: 'Hi',
      stream: true,
      tools: [
        { type: 'function', name: 'a' },
        { type: 'function', name: 'b' },
      ],
    });
    const got = events(await res.text());
    expect(got.map(([e, d]) => (e.endsWith('item.added') || e.endsWith('item.done') ? `${e}:${d.item.type}` : e))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added:message',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done:message',
      'response.output_item.added:function_call',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done:function_call',
      'response.output_item.added:function_call',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done:function_call',
      'response.completed',
    ]);
    const done = got.at(-1)![1].response;
    expect(done.output.map((o: Item) => [o.type, o.call_id ?? null, o.arguments ?? null])).toEqual([
      ['message', null, null],
      ['function_call', 'call_a', '{"x":1}'],
      ['function_call', 'call_b', '{}'],
    ]);
  });

  it('ends with response.failed and an error event when the backend stream breaks', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({ sse: [chunk({ role: 'assistant', content: 'par' }), 'data: {not json\n\n'] }));
    const got = events(await (await gw.post('/v1/responses', { model: 'main', input: 'Hi', stream: true })).text());
    const names = got.map(([e]) => e);
    expect(names.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(names.slice(-2)).toEqual(['response.failed', 'error']);
    expect(got.at(-2)![1].response.status).toBe('failed');
    expect(got.at(-1)![1].error.code).toBe('upstream_malformed');
  });

  it('reports a cut-short answer (max tokens) as response.incomplete', async () => {
    const gw = await gateway();
    gw.transport.answer('a', () => ({ sse: [chunk({ content: 'abc' }), chunk({}, 'length'), 'data: [DONE]\n\n'] }));
    const got = events(await (await gw.post('/v1/responses', { model: 'main', input: 'Hi', stream: true })).text());
    expect(got.at(-1)![0]).toBe('response.incomplete');
    expect(got.at(-1)![1].response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });
});

describe('POST /v1/responses (passed through to OpenAI-family backends)', () => {
  const openai = { provider: 'openai', endpoint: 'https://api.openai.invalid/v1', apiKey: { value: 'sk-upstream' } };

  it('sends the Responses request itself, nothing stored upstream, with the conversation expanded', async () => {
    const gw = await inProcess({ main: { backends: [backend('a', openai)] } }, { auth: true });
    const upstreamAnswer = (text: string) => ({
      id: 'resp_upstream',
      object: 'response',
      status: 'completed',
      output: [
        {
          id: 'msg_up',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text, annotations: [] }],
        },
      ],
      usage: { input_tokens: 12, output_tokens: 4, total_tokens: 16, input_tokens_details: { cached_tokens: 8 } },
    });
    gw.transport.answer('a', () => ({ json: upstreamAnswer('first') }));
    const first = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'one' }));
    expect(gw.transport.calls[0]!.path).toBe('responses');
    expect(gw.transport.calls[0]!.body).toMatchObject({
      store: false,
      input: [{ type: 'message', role: 'user', content: 'one' }],
    });
    expect(first.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(first.usage.input_tokens_details.cached_tokens).toBe(8);
    await gw.post('/v1/responses', { model: 'main', input: 'two', previous_response_id: first.id });
    const second = gw.transport.calls[1]!.body;
    expect(second.previous_response_id).toBeUndefined();
    expect(second.input).toEqual([
      { type: 'message', role: 'user', content: 'one' },
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'first', annotations: [] }],
      },
      { type: 'message', role: 'user', content: 'two' },
    ]);
    const metrics = await gw.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/token_type="cached_input"/);
  });

  it("fills in the gateway's count, in the Responses shape, when the backend reports no usage (stored so too)", async () => {
    const gw = await inProcess({ main: { backends: [backend('a', openai)] } }, { auth: true });
    gw.transport.answer('a', () => ({
      json: { id: 'r', object: 'response', status: 'completed', output: [], usage: 5 },
    }));
    const answer = await json<{ id: string; usage: Obj }>(gw.post('/v1/responses', { model: 'main', input: 'one' }));
    expect(typeof answer.usage.input_tokens).toBe('number');
    expect(answer.usage.output_tokens).toBe(0);
    expect(answer.usage).not.toHaveProperty('prompt_tokens');
    const stored = await json<{ usage: Obj }>(get(gw, `/v1/responses/${answer.id}`));
    expect(stored.usage).toEqual(answer.usage);
  });

  it('continues a conversation whose stored output a backend filled with nulls and numbers', async () => {
    const gw = await inProcess(
      { main: { backends: [backend('a', openai)] }, chat: { backends: [backend('b')] } },
      { auth: true },
    );
    gw.transport.answer('a', () => ({
      json: {
        id: 'resp_upstream',
        object: 'response',
        status: 'completed',
        output: [null, 5, { type: 'message', role: 'assistant', content: [null, { type: 'output_text', text: 'hi' }] }],
      },
    }));
    gw.transport.answer('b', (call) => ({ json: chatAnswer(call.backend) }));
    const first = await json<ResponseJson>(gw.post('/v1/responses', { model: 'main', input: 'one' }));
    for (const model of ['main', 'chat']) {
      const next = await gw.post('/v1/responses', { model, input: 'two', previous_response_id: first.id });
      expect(next.status).toBe(200);
    }
    expect(gw.transport.calls[1]!.body.input).toEqual([
      { type: 'message', role: 'user', content: 'one' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] },
      { type: 'message', role: 'user', content: 'two' },
    ]);
    expect(gw.transport.calls[2]!.body.messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: [{ type: 'text', text: 'hi' }] },
      { role: 'user', content: 'two' },
    ]);
    const counted = await gw.post('/v1/responses/input_tokens', { model: 'chat', input: 'two', previous_response_id: first.id });
    expect(counted.status).toBe(200);
  });

  it("re-frames the backend's stream with the gateway's response id and stores the final response", async () => {
    const gw = await inProcess({ main: { backends: [backend('a', openai)] } }, { auth: true });
    const ev = (type: string, fields: Obj, seq: number) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...fields })}\n\n`;
    const response = (status: string) => ({ id: 'resp_upstream', object: 'response', status, output: [] });
    gw.transport.answer('a', () => ({
      sse: [
        ev('response.created', { response: response('in_progress') }, 0),
        ev('response.output_text.delta', { item_id: 'm', output_index: 0, content_index: 0, delta: 'hi' }, 1),
        ev('response.completed', { response: { ...response('completed'), usage: { input_tokens: 3, output_tokens: 1 } } }, 2),
      ],
    }));
    const got = events(await (await gw.post('/v1/responses', { model: 'main', input: 'x', stream: true })).text());
    expect(got.map(([e]) => e)).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    const id = got[0]![1].response.id;
    expect(id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(got[2]![1].response.id).toBe(id);
    expect((await get(gw, `/v1/responses/${id}`)).status).toBe(200);
  });
});
