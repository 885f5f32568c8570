import { loadTokenizer } from '@switchboard/native';
import { describe, expect, it } from 'vitest';
import type { CompiledBackend } from '../../table/backend.js';
import { GatewayError } from '../../errors.js';
import type { ProxiedBody } from '../../request/operations.js';
import { JSON_OBJECT_INSTRUCTION } from './json-output.js';
import { toAnthropicRequest } from './request.js';
import { toOpenAIChat } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

const backend = {
  model: 'claude-sonnet-4-5',
  maxOutputTokens: undefined,
  tokenizer: loadTokenizer('o200k_base'),
} as unknown as CompiledBackend;

// Golden cases built from the examples of Anthropic's public Messages API reference.
describe('Anthropic request translation', () => {
  it('moves system prompts out, keeps turns alternating, and maps sampling fields', () => {
    const body = {
      model: 'assistant',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'developer', content: 'Answer briefly.' },
        { role: 'user', content: 'Hello there.' },
        { role: 'assistant', content: "Hi, I'm Claude. How can I help you?" },
        { role: 'user', content: [{ type: 'text', text: 'Can you explain LLMs in plain English?' }] },
      ],
      max_tokens: 1024,
      temperature: 1.5,
      top_p: 0.9,
      stop: 'END',
      user: 'user-42',
    } as ProxiedBody;
    expect(toAnthropicRequest(body, backend)).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'You are a helpful assistant.\n\nAnswer briefly.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello there.' }] },
        { role: 'assistant', content: [{ type: 'text', text: "Hi, I'm Claude. How can I help you?" }] },
        { role: 'user', content: [{ type: 'text', text: 'Can you explain LLMs in plain English?' }] },
      ],
      max_tokens: 1024,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
    });
  });

  it('translates tools, tool calls, tool results and images', () => {
    const body = {
      model: 'assistant',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather like in San Francisco?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_01A09q90qw90lq917835lq9',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get the current weather in a given location',
            parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
        },
      ],
      tool_choice: 'required',
    } as ProxiedBody;
    expect(toAnthropicRequest(body, backend)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather like in San Francisco?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_01A09q90qw90lq917835lq9',
              name: 'get_weather',
              input: { location: 'San Francisco, CA' },
            },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
        },
      ],
      tool_choice: { type: 'any' },
    });
  });
});

describe('response_format translation', () => {
  const ask = (extra: Record<string, unknown>) =>
    toAnthropicRequest({ model: 'assistant', messages: [{ role: 'user', content: 'Hi' }], ...extra }, backend);

  it('asks for json_object in the system prompt, after the cached prefix', () => {
    expect(ask({ response_format: { type: 'json_object' } }).system).toBe(JSON_OBJECT_INSTRUCTION);
    const plain = ask({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(plain.system).toBe(`Be brief.\n\n${JSON_OBJECT_INSTRUCTION}`);
    expect(plain.tools).toBeUndefined();
    const cached = ask({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Long rules', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'Hi' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(cached.system).toEqual([
      { type: 'text', text: 'Long rules', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: JSON_OBJECT_INSTRUCTION },
    ]);
    expect(ask({ response_format: { type: 'text' } }).system).toBeUndefined();
  });

  it('makes a json_schema a forced tool (unnamed or schemaless: any object), refusing a malformed one', () => {
    const out = ask({ response_format: { type: 'json_schema', json_schema: { description: 'A city' } } });
    expect(out.tools).toEqual([{ name: 'output', description: 'A city', input_schema: { type: 'object' } }]);
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'output', disable_parallel_tool_use: true });
    expect(() => ask({ response_format: { type: 'json_schema' } })).toThrow(GatewayError);
    expect(() => ask({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: 'object' } } })).toThrow(
      /json_schema\.schema: Input should be a JSON Schema object/,
    );
  });

  it('answers with the schema tool input as content; a cut answer still stops for length', () => {
    const answer = (stop: string) =>
      toOpenAIChat(
        { stop_reason: stop, content: [{ type: 'tool_use', id: 't', name: 'weather', input: { city: 'Oslo' } }] },
        1,
        'weather',
      ) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    expect(answer('tool_use').choices[0]).toMatchObject({
      message: { role: 'assistant', content: '{"city":"Oslo"}' },
      finish_reason: 'stop',
    });
    expect(answer('tool_use').choices[0]?.message.tool_calls).toBeUndefined();
    expect(answer('max_tokens').choices[0]?.finish_reason).toBe('length');
  });

  it('streams the schema tool input as content deltas, an empty input as {}', () => {
    const t = new AnthropicStreamTranslator(false, 'weather');
    const out = [
      { type: 'message_start', message: { id: 'm', model: 'claude', usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'weather', input: {} } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } },
    ].flatMap((e) => t.event({ event: e.type, data: JSON.stringify(e) })) as {
      choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
    }[];
    expect(out.map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: '{}' }, {}]);
    expect(out.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('Anthropic response translation', () => {
  it('turns the reference example message into a chat completion', () => {
    const message = {
      content: [{ text: 'Hi! My name is Claude.', type: 'text' }],
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      model: 'claude-sonnet-4-5',
      role: 'assistant',
      stop_reason: 'end_turn',
      stop_sequence: null,
      type: 'message',
      usage: { input_tokens: 2095, output_tokens: 503 },
    };
    expect(toOpenAIChat(message, 1700000000)).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-sonnet-4-5',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.' }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 },
    });
  });

  it('turns tool_use blocks into tool_calls and maps every stop reason', () => {
    const message = {
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5',
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: "I'll check the weather." },
        { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA' } },
      ],
      usage: { input_tokens: 10, output_tokens: 20 },
    };
    const chat = toOpenAIChat(message, 1) as { choices: { message: unknown; finish_reason: string }[] };
    expect(chat.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: "I'll check the weather.",
        tool_calls: [
          {
            id: 'toolu_01A09q90qw90lq917835lq9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
          },
        ],
      },
    });
    const reason = (stop: string) =>
      (toOpenAIChat({ stop_reason: stop }, 1) as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason;
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal'].map(reason)).toEqual([
      'stop',
      'stop',
      'length',
      'tool_calls',
      'content_filter',
    ]);
  });
});

describe('Anthropic stream translation', () => {
  const events = (list: [string, unknown][]) => list.map(([event, data]) => ({ event, data: JSON.stringify(data) }));

  it('translates the reference text stream, usage only when asked', () => {
    const stream = events([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
            type: 'message',
            role: 'assistant',
            content: [],
            model: 'claude-sonnet-4-5',
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 25, output_tokens: 1 },
          },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['ping', { type: 'ping' }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
    for (const includeUsage of [false, true]) {
      const t = new AnthropicStreamTranslator(includeUsage);
      const out = stream.flatMap((e) => t.event(e)) as {
        choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
        usage?: unknown;
      }[];
      expect(out.map((c) => c.choices[0]?.delta ?? null)).toEqual([
        { role: 'assistant', content: '' },
        { content: 'Hello' },
        { content: '!' },
        {},
        ...(includeUsage ? [null] : []),
      ]);
      expect(out[3]?.choices[0]?.finish_reason).toBe('stop');
      if (includeUsage) expect(out[4]?.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
      expect(t.usage).toEqual({ promptTokens: 25, completionTokens: 15 });
    }
  });

  it('streams tool use as tool_calls with arguments in pieces', () => {
    const t = new AnthropicStreamTranslator(false);
    const out = events([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
            model: 'claude-sonnet-4-5',
            usage: { input_tokens: 472, output_tokens: 2 },
          },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} },
        },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "San Francisco, CA"}' } },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      [
        'message_delta',
        { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } },
      ],
    ]).flatMap((e) => t.event(e)) as { choices: { delta: { tool_calls?: unknown[] }; finish_reason: string | null }[] }[];
    const calls = out.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"location":' } },
      { index: 0, function: { arguments: ' "San Francisco, CA"}' } },
    ]);
    expect(out.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('turns an error event into an OpenAI-shaped error payload', () => {
    const t = new AnthropicStreamTranslator(false);
    expect(
      t.event({
        event: 'error',
        data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      }),
    ).toEqual([{ error: { message: 'Overloaded', type: 'upstream_error', code: 'overloaded_error', param: null } }]);
  });
});
