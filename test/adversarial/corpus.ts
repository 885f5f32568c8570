// A generated corpus of malformed requests: every field of every endpoint
// with wrong types, nulls, out-of-range and huge values, in several places
// of the body; broken JSON; bad encodings; wrong content types, methods and
// paths. Every case must be refused with a 4xx in its API's error shape
// (OpenAI's; Anthropic's for the Messages API) before any backend is called.

export interface BadRequest {
  name: string;
  path: string;
  method?: string;
  contentType?: string | null;
  /** In place of the valid key (null: no header). */
  authorization?: string | null;
  body?: string | Buffer;
  /** The status it must get; default: any 4xx. */
  status?: number;
  /** Headers sent besides content type and authorization. */
  headers?: Record<string, string>;
  /** The error shape it must be answered in; default: OpenAI's. */
  shape?: 'anthropic';
}

const HUGE = 'x'.repeat(300_000);
const WRONG_TYPES: [string, unknown][] = [
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['true', true],
  ['false', false],
  ['a string', 'text'],
  ['an empty string', ''],
  ['an array', []],
  ['an array of null', [null]],
  ['an object', {}],
  ['a nested object', { a: { b: 1 } }],
  ['null', null],
];

/** Values of each kind that are wrong for a field of `accepts` (the kinds it takes). */
function wrongValues(accepts: readonly ('string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null')[]) {
  const ok = (v: unknown) => {
    if (v === null) return accepts.includes('null');
    if (Array.isArray(v)) return accepts.includes('array');
    if (typeof v === 'string') return accepts.includes('string');
    if (typeof v === 'boolean') return accepts.includes('boolean');
    if (typeof v === 'number') return accepts.includes('number') || (accepts.includes('integer') && Number.isInteger(v));
    return accepts.includes('object');
  };
  return WRONG_TYPES.filter(([, v]) => !ok(v));
}

interface FieldSpec {
  field: string;
  accepts: Parameters<typeof wrongValues>[0];
  /** Values of the right type that are still wrong (range, length, enum). */
  invalid?: [string, unknown][];
}

const SAMPLING: FieldSpec[] = [
  {
    field: 'max_tokens',
    accepts: ['integer', 'null'],
    invalid: [
      ['zero', 0],
      ['huge negative', -1e15],
    ],
  },
  {
    field: 'temperature',
    accepts: ['number', 'null'],
    invalid: [
      ['below 0', -0.1],
      ['above 2', 2.1],
      ['huge', 1e300],
    ],
  },
  {
    field: 'top_p',
    accepts: ['number', 'null'],
    invalid: [
      ['below 0', -0.01],
      ['above 1', 1.01],
    ],
  },
  {
    field: 'n',
    accepts: ['integer', 'null'],
    invalid: [
      ['zero', 0],
      ['129', 129],
      ['1e9', 1e9],
    ],
  },
  {
    field: 'presence_penalty',
    accepts: ['number', 'null'],
    invalid: [
      ['-2.5', -2.5],
      ['2.5', 2.5],
    ],
  },
  {
    field: 'frequency_penalty',
    accepts: ['number', 'null'],
    invalid: [
      ['-3', -3],
      ['9', 9],
    ],
  },
  {
    field: 'stop',
    accepts: ['string', 'array', 'null'],
    invalid: [
      ['five stops', ['a', 'b', 'c', 'd', 'e']],
      ['a number in the list', ['a', 1]],
      ['null in the list', [null]],
      ['an object in the list', [{}]],
    ],
  },
  { field: 'stream', accepts: ['boolean', 'null'] },
  { field: 'stream_options', accepts: ['object', 'null'] },
  { field: 'user', accepts: ['string'], invalid: [['over 256 characters', 'u'.repeat(257)]] },
];

const CHAT_FIELDS: FieldSpec[] = [
  {
    field: 'model',
    accepts: ['string'],
    invalid: [
      ['over 256 characters', 'm'.repeat(257)],
      ['huge', HUGE],
    ],
  },
  {
    field: 'messages',
    accepts: ['array'],
    invalid: [
      ['empty', []],
      ['a list of strings', ['hi']],
      ['a list of numbers', [1, 2]],
      ['a list of lists', [[]]],
      ['a message without role', [{ content: 'hi' }]],
    ],
  },
  {
    field: 'max_completion_tokens',
    accepts: ['integer', 'null'],
    invalid: [
      ['zero', 0],
      ['negative', -5],
    ],
  },
  {
    field: 'tools',
    accepts: ['array'],
    invalid: [
      ['a list of strings', ['search']],
      ['a list of nulls', [null, null]],
      ['129 tools', Array.from({ length: 129 }, () => ({ type: 'function' }))],
    ],
  },
  { field: 'response_format', accepts: ['object'] },
  ...SAMPLING,
];

const MESSAGE_FIELDS: FieldSpec[] = [
  {
    field: 'role',
    accepts: ['string'],
    invalid: [
      ['an unknown role', 'wizard'],
      ['upper case', 'USER'],
      ['empty', ''],
    ],
  },
  {
    field: 'content',
    accepts: ['string', 'array', 'null'],
    invalid: [
      ['a part without type', [{ text: 'x' }]],
      ['a null part', [null]],
      ['a string part', ['x']],
      ['a numeric type', [{ type: 7 }]],
      ['a numeric text', [{ type: 'text', text: 7 }]],
      ['an empty type', [{ type: '' }]],
      ['a long type', [{ type: 't'.repeat(65) }]],
    ],
  },
  {
    field: 'name',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['over 64 characters', 'n'.repeat(65)],
    ],
  },
  {
    field: 'tool_calls',
    accepts: ['array'],
    invalid: [
      ['a list of null', [null]],
      ['a list of strings', ['call']],
      ['a null function', [{ id: 'c', type: 'function', function: null }]],
      ['a numeric function name', [{ id: 'c', type: 'function', function: { name: 1, arguments: '{}' } }]],
      ['object arguments', [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }]],
      ['a numeric id', [{ id: 1, type: 'function', function: { name: 'f', arguments: '{}' } }]],
    ],
  },
  { field: 'tool_call_id', accepts: ['string'] },
];

const TEXT_OR_TOKENS: [string, unknown][] = [
  ['an object', { a: 1 }],
  ['null', null],
  ['true', true],
  ['a number', 3],
  ['an empty list', []],
  ['a list of nulls', [null]],
  ['mixed strings and numbers', ['a', 1]],
  ['negative token ids', [-1, 2]],
  ['fractional token ids', [1.5]],
  ['a list of empty token lists', [[]]],
  ['nested too deeply', [[[1]]]],
  ['a list of objects', [{}]],
];

const COMPLETION_FIELDS: FieldSpec[] = [
  {
    field: 'model',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['over 256 characters', 'm'.repeat(300)],
    ],
  },
  { field: 'prompt', accepts: ['string', 'array'], invalid: TEXT_OR_TOKENS },
  ...SAMPLING,
];

const EMBEDDING_FIELDS: FieldSpec[] = [
  {
    field: 'model',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['over 256 characters', 'm'.repeat(300)],
    ],
  },
  { field: 'input', accepts: ['string', 'array'], invalid: TEXT_OR_TOKENS },
  {
    field: 'encoding_format',
    accepts: ['string'],
    invalid: [
      ['hex', 'hex'],
      ['upper case', 'FLOAT'],
    ],
  },
  {
    field: 'dimensions',
    accepts: ['integer'],
    invalid: [
      ['zero', 0],
      ['negative', -3],
    ],
  },
  { field: 'user', accepts: ['string'], invalid: [['over 256 characters', 'u'.repeat(257)]] },
];

const FEEDBACK_FIELDS: FieldSpec[] = [
  {
    field: 'request_id',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['over 128 characters', 'r'.repeat(129)],
    ],
  },
  {
    field: 'score',
    accepts: ['number'],
    invalid: [
      ['below 0', -0.1],
      ['above 1', 1.1],
      ['huge', 1e300],
    ],
  },
];

// The Responses API door (POST /v1/responses): its fields, its input items and its tools.
const RESPONSES_FIELDS: FieldSpec[] = [
  {
    field: 'model',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['huge', HUGE],
    ],
  },
  {
    field: 'input',
    accepts: ['string', 'array'],
    invalid: [
      ['an empty array', []],
      ['an array of strings', ['hi']],
      ['an array with null', [null]],
      ['an item of an unknown type', [{ type: 'web_search_call', id: 'ws_1' }]],
      ['an item reference', [{ type: 'item_reference', id: 'msg_1' }]],
      ['an item with neither type nor role', [{ content: 'hi' }]],
      ['a message without content', [{ role: 'user' }]],
      ['a message of an unknown role', [{ role: 'robot', content: 'hi' }]],
      ['an audio part', [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }]],
      ['a file part', [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }]],
      ['an image part without a URL', [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }]],
      ['a text part whose text is a number', [{ role: 'user', content: [{ type: 'input_text', text: 5 }] }]],
      ['a part without a type', [{ role: 'user', content: [{ text: 'hi' }] }]],
      ['an assistant image part', [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }]],
      ['a function call without call_id', [{ type: 'function_call', name: 'f', arguments: '{}' }]],
      ['a function call without arguments', [{ type: 'function_call', call_id: 'c', name: 'f' }]],
      ['a function call output without output', [{ type: 'function_call_output', call_id: 'c' }]],
      ['a function call output without call_id', [{ type: 'function_call_output', output: 'x' }]],
    ],
  },
  { field: 'instructions', accepts: ['string', 'null'] },
  { field: 'max_output_tokens', accepts: ['integer', 'null'], invalid: [['zero', 0]] },
  { field: 'temperature', accepts: ['number', 'null'], invalid: [['above 2', 2.5]] },
  { field: 'top_p', accepts: ['number', 'null'], invalid: [['above 1', 1.5]] },
  {
    field: 'tools',
    accepts: ['array'],
    invalid: [
      ['a hosted tool', [{ type: 'web_search' }]],
      ['a function without a name', [{ type: 'function', parameters: { type: 'object' } }]],
      ['a function with a bad name', [{ type: 'function', name: 'no spaces allowed' }]],
      ['a function whose parameters are a string', [{ type: 'function', name: 'f', parameters: 'object' }]],
      ['a function whose parameters are not an object schema', [{ type: 'function', name: 'f', parameters: { type: 'array' } }]],
      ['a tool without a type', [{ name: 'f' }]],
      ['129 tools', Array.from({ length: 129 }, (_, i) => ({ type: 'function', name: `f${i}` }))],
    ],
  },
  {
    field: 'tool_choice',
    accepts: ['string', 'object'],
    invalid: [
      ['an unknown mode', 'sometimes'],
      ['a hosted tool', { type: 'file_search' }],
      ['a function without a name', { type: 'function' }],
    ],
  },
  {
    field: 'text',
    accepts: ['object'],
    invalid: [
      ['an unknown format', { format: { type: 'xml' } }],
      ['a JSON schema without a schema', { format: { type: 'json_schema', name: 'x' } }],
      ['a JSON schema without a name', { format: { type: 'json_schema', schema: { type: 'object' } } }],
      ['a format without a type', { format: {} }],
    ],
  },
  { field: 'reasoning', accepts: ['object', 'null'], invalid: [['an unknown effort', { effort: 'maximum' }]] },
  {
    field: 'metadata',
    accepts: ['object', 'null'],
    invalid: [
      ['17 keys', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))],
      ['a number value', { a: 1 }],
      ['a value over 512 characters', { a: 'v'.repeat(513) }],
      ['a key over 64 characters', { ['k'.repeat(65)]: 'v' }],
    ],
  },
  { field: 'store', accepts: ['boolean', 'null'] },
  { field: 'stream', accepts: ['boolean', 'null'] },
  {
    field: 'previous_response_id',
    accepts: ['string', 'null'],
    invalid: [
      ['empty', ''],
      ['an id nobody stored', 'resp_00000000000000000000000000000000'],
      ['huge', 'r'.repeat(300)],
    ],
  },
  { field: 'background', accepts: ['boolean', 'null'], invalid: [['true (background mode)', true]] },
  { field: 'user', accepts: ['string'] },
];

const RESPONSES_PATHS: BadRequest[] = [
  ...['GET', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
    name: `${method} /v1/responses`,
    method,
    path: '/v1/responses',
    status: 405,
  })),
  { name: 'GET an unknown response', method: 'GET', path: '/v1/responses/resp_00000000000000000000000000000000', status: 404 },
  {
    name: 'DELETE an unknown response',
    method: 'DELETE',
    path: '/v1/responses/resp_00000000000000000000000000000000',
    status: 404,
  },
  { name: "GET an unknown response's input items", method: 'GET', path: '/v1/responses/resp_0/input_items', status: 404 },
  { name: 'GET a response id with odd bytes', method: 'GET', path: '/v1/responses/%00%ff', status: 404 },
  { name: 'GET a response id that climbs', method: 'GET', path: '/v1/responses/..%2f..%2fadmin', status: 404 },
  { name: 'POST to a response id', path: '/v1/responses/resp_0', body: '{}', status: 405 },
  { name: 'GET input_tokens', method: 'GET', path: '/v1/responses/input_tokens', status: 404 },
  { name: 'GET a stored response as a stream', method: 'GET', path: '/v1/responses/resp_0?stream=true', status: 400 },
  { name: 'input items with a bad limit', method: 'GET', path: '/v1/responses/resp_0/input_items?limit=0', status: 404 },
];

/** Every wrong value of every field, set on `base` (a valid body) at `field`. */
function fieldCases(name: string, path: string, base: Record<string, unknown>, specs: FieldSpec[]): BadRequest[] {
  const out: BadRequest[] = [];
  for (const spec of specs) {
    const values = [...wrongValues(spec.accepts), ...(spec.invalid ?? [])];
    for (const [what, value] of values) {
      out.push({ name: `${name}: ${spec.field} is ${what}`, path, body: JSON.stringify({ ...base, [spec.field]: value }) });
    }
    if (['model', 'messages', 'prompt', 'input', 'request_id', 'score'].includes(spec.field)) {
      const rest = { ...base };
      delete rest[spec.field];
      out.push({ name: `${name}: ${spec.field} missing`, path, body: JSON.stringify(rest) });
    }
  }
  return out;
}

const CONVERSATION = [
  { role: 'system', content: 'be brief' },
  { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
  },
  { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
];

const TOOLS = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];

/** Valid chat bodies of several shapes: each field case is tried in each (validation must hold in all). */
const CHAT_BASES: [string, Record<string, unknown>][] = [
  ['chat', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }],
  ['multi-turn chat', { model: 'm', messages: [...CONVERSATION, { role: 'user', content: 'and tomorrow?' }] }],
  ['streaming chat', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
  ['chat with tools', { model: 'm', tools: TOOLS, tool_choice: 'auto', messages: [{ role: 'user', content: 'hi' }] }],
  ['JSON-mode chat', { model: 'm', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'hi' }] }],
  ['chat with n and max_tokens', { model: 'm', n: 2, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
];

/** Every wrong message field, in a one-message chat and at several places of a longer one. */
function messageCases(): BadRequest[] {
  const out: BadRequest[] = [];
  const ok = CONVERSATION;
  for (const spec of MESSAGE_FIELDS) {
    for (const [what, value] of [...wrongValues(spec.accepts), ...(spec.invalid ?? [])]) {
      const bad = { role: 'user', content: 'hi', [spec.field]: value };
      for (const [where, messages] of [
        ['the only message', [bad]],
        ['the last message', [...ok, bad]],
        ['the first message', [bad, ...ok]],
        ['a middle message', [ok[0], bad, ...ok.slice(1)]],
        ['the last of many messages', [...Array.from({ length: 50 }, () => ({ role: 'user', content: 'x' })), bad]],
      ] as const) {
        out.push({
          name: `chat: ${where}'s ${spec.field} is ${what}`,
          path: '/v1/chat/completions',
          body: JSON.stringify({ model: 'm', messages }),
        });
      }
    }
  }
  return out;
}

const BROKEN_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"model": "m",',
  '{"model": "m" "messages": []}',
  '{"model": m}',
  "{'model': 'm'}",
  '{"model": "m"} trailing',
  '{"model": "m",}',
  '[',
  '[1, 2,]',
  'null',
  'true',
  '42',
  '"just a string"',
  '[{"model": "m"}]',
  '{"model": "\\x41"}',
  '{"model": "\\u12"}',
  '{"model": "unterminated',
  '{"a": 1e999999}',
  '{"a": NaN}',
  '{"a": Infinity}',
  '{"a": -}',
  '{"a": 01}',
  '{"a": .5}',
  '{"a": tru}',
  '/* comment */ {}',
  '{"model": "m"}\u0000',
  `{"x": ${'['.repeat(200_000)}`,
  `{"x": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
];

const BAD_UTF8: [string, Buffer][] = [
  ['a lone continuation byte', Buffer.from([0x80])],
  ['an overlong slash', Buffer.from([0xc0, 0xaf])],
  ['a truncated sequence', Buffer.from([0xe2, 0x82])],
  ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ['an invalid byte', Buffer.from([0xff])],
  ['a code point past U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
];

function encodingCases(path: string, wrap: (inner: string) => string): BadRequest[] {
  const out: BadRequest[] = [];
  for (const [what, bytes] of BAD_UTF8) {
    const [before, after] = wrap('@@').split('@@') as [string, string];
    out.push({
      name: `${path}: invalid UTF-8 (${what})`,
      path,
      body: Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]),
    });
  }
  const text = wrap('hi');
  out.push({ name: `${path}: UTF-16 LE`, path, body: Buffer.from(text, 'utf16le') });
  out.push({
    name: `${path}: UTF-16 with BOM`,
    path,
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
  });
  out.push({ name: `${path}: UTF-32`, path, body: Buffer.from(text.split('').flatMap((c) => [c.charCodeAt(0), 0, 0, 0])) });
  out.push({ name: `${path}: gzip bytes`, path, body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]) });
  return out;
}

const CONTENT_TYPES: (string | null)[] = [
  null,
  '',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/json-patch+json',
  'json',
  '*/*',
  'application/octet-stream',
];

const METHODS_AND_PATHS: BadRequest[] = [
  ...['GET', 'PUT', 'PATCH', 'DELETE'].flatMap((method) =>
    ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/feedback'].map((path) => ({
      name: `${method} ${path}`,
      method,
      path,
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      status: 405,
    })),
  ),
  ...['POST', 'PUT', 'DELETE'].map((method) => ({ name: `${method} /v1/models`, method, path: '/v1/models', status: 405 })),
  ...[
    '/v1/chat/completion',
    '/v1/chat/completions/',
    '/v1/chat',
    '/v2/chat/completions',
    '/V1/CHAT/COMPLETIONS',
    '/v1/chat%2Fcompletions',
    '/v1/chat/completions/../../admin',
    '/v1/..%2f..%2fetc/passwd',
    '/v1/chat/completions%00',
    '/%2e%2e/v1/chat/completions',
    '/v1/engines/davinci/completions',
    '/v1/files',
    '/v1/fine_tuning/jobs',
    '/admin',
    '/',
  ].map((path) => ({ name: `POST ${path}`, path, body: '{}', ...(path.includes('%') ? {} : { status: 404 }) })),
];

/** Authorization headers that must not let a request in (the key itself is valid elsewhere). */
const AUTHORIZATION: [string, string | null][] = [
  ['absent', null],
  ['empty', ''],
  ['a bare scheme', 'Bearer'],
  ['a scheme and a space', 'Bearer '],
  ['Basic credentials', 'Basic dXNlcjpwYXNz'],
  ['a wrong key', 'Bearer sk-wrong-0123456789'],
  ['a key with a trailing byte', 'Bearer sk-corpus-0123456789x'],
  ['a truncated key', 'Bearer sk-corpus-012345678'],
  ['the key upper-cased', 'Bearer SK-CORPUS-0123456789'],
  ['two keys', 'Bearer sk-corpus-0123456789, Bearer sk-corpus-0123456789'],
  ['the key twice', 'Bearer sk-corpus-0123456789 sk-corpus-0123456789'],
  ['no space', 'Bearersk-corpus-0123456789'],
  ['a Token scheme', 'Token sk-corpus-0123456789'],
  ['a JWT', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
  ['a huge value', `Bearer ${'k'.repeat(8000)}`],
  ['a wildcard', 'Bearer *'],
  ['percent-encoded', 'Bearer sk%2Dcorpus%2D0123456789'],
  ['quoted', 'Bearer "sk-corpus-0123456789"'],
  ['the hash of the key', 'Bearer 8c0e9a8a6b3a6a8b2c1f4a0e2c6f1e2d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d'],
];

// ---------------------------------------------------------------------------
// The Anthropic Messages API door (POST /v1/messages, /v1/messages/count_tokens):
// every case carries anthropic-version (but the ones about it) and must be
// answered in Anthropic's error shape. Route `m` is a chat completions
// backend: what only anthropic backends take is refused before it is sent.

const ANTHROPIC_VERSION = { 'anthropic-version': '2023-06-01' };
const MESSAGES_BASE = { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

const anthropicCase = (c: BadRequest): BadRequest => ({
  ...c,
  shape: 'anthropic',
  headers: { ...ANTHROPIC_VERSION, ...c.headers },
});

const BAD_BLOCKS: [string, unknown][] = [
  ['an unknown block type, for a chat backend', { type: 'wizard', text: 'hi' }],
  ['a block type in capitals', { type: 'Text', text: 'hi' }],
  ['a block without a type', { text: 'hi' }],
  ['a numeric block type', { type: 7 }],
  ['a text block whose text is a number', { type: 'text', text: 5 }],
  ['a text block without text', { type: 'text' }],
  ['an image whose source is a string', { type: 'image', source: 'https://x.invalid/a.png' }],
  ['a base64 image without data', { type: 'image', source: { type: 'base64', media_type: 'image/png' } }],
  ['a base64 image that is not an image', { type: 'image', source: { type: 'base64', media_type: 'text/html', data: 'PGI+' } }],
  ['a URL image without a URL', { type: 'image', source: { type: 'url' } }],
  ['an image source without a type', { type: 'image', source: { url: 'https://x.invalid/a.png' } }],
  ['a tool_result without tool_use_id', { type: 'tool_result', content: 'sunny' }],
  ['a tool_result with an empty tool_use_id', { type: 'tool_result', tool_use_id: '', content: 'sunny' }],
  ['a tool_result whose content is a number', { type: 'tool_result', tool_use_id: 't1', content: 5 }],
  ['a tool_result whose is_error is a string', { type: 'tool_result', tool_use_id: 't1', is_error: 'yes' }],
  ['a tool_result with an untyped block', { type: 'tool_result', tool_use_id: 't1', content: [{ text: 'x' }] }],
  ['a tool_use in a user turn', { type: 'tool_use', id: 't1', name: 'weather', input: {} }],
  ['a document (anthropic backends only)', { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }],
  ['a file image (anthropic backends only)', { type: 'image', source: { type: 'file', file_id: 'file_1' } }],
];

const BAD_ASSISTANT_BLOCKS: [string, unknown][] = [
  ['a tool_use without input', { type: 'tool_use', id: 't1', name: 'weather' }],
  ['a tool_use whose input is a string', { type: 'tool_use', id: 't1', name: 'weather', input: '{}' }],
  ['a tool_use without id', { type: 'tool_use', name: 'weather', input: {} }],
  ['a tool_use without name', { type: 'tool_use', id: 't1', input: {} }],
  ['a tool_result in an assistant turn', { type: 'tool_result', tool_use_id: 't1', content: 'x' }],
  ['a thinking block without thinking', { type: 'thinking', signature: 's' }],
];

const MESSAGES_FIELDS: FieldSpec[] = [
  {
    field: 'model',
    accepts: ['string'],
    invalid: [
      ['empty', ''],
      ['over 256 characters', 'm'.repeat(257)],
      ['a model no route serves', 'claude-nonexistent'],
    ],
  },
  {
    field: 'messages',
    accepts: ['array'],
    invalid: [
      ['empty', []],
      ['a list of strings', ['hi']],
      ['a list of nulls', [null]],
      ['a message of an unknown role', [{ role: 'wizard', content: 'hi' }]],
      ['a message of role tool', [{ role: 'tool', content: 'hi' }]],
      ['a message of role USER', [{ role: 'USER', content: 'hi' }]],
      ['a message without role', [{ content: 'hi' }]],
      ['a message without content', [{ role: 'user' }]],
      ['a message whose content is null', [{ role: 'user', content: null }]],
      ['a message whose content is a number', [{ role: 'user', content: 5 }]],
      [
        'a system turn with an image',
        [{ role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] }],
      ],
      ...BAD_BLOCKS.map(([what, block]): [string, unknown] => [what, [{ role: 'user', content: [block] }]]),
      ...BAD_ASSISTANT_BLOCKS.map(([what, block]): [string, unknown] => [
        what,
        [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [block] },
        ],
      ]),
    ],
  },
  {
    field: 'max_tokens',
    accepts: ['integer'],
    invalid: [
      ['negative', -1],
      ['zero, for a chat backend', 0],
    ],
  },
  {
    field: 'system',
    accepts: ['string', 'array'],
    invalid: [
      ['a list of strings', ['be brief']],
      ['an image block', [{ type: 'image', source: { type: 'url', url: 'https://x' } }]],
      ['a text block whose text is a number', [{ type: 'text', text: 1 }]],
    ],
  },
  {
    field: 'stop_sequences',
    accepts: ['array'],
    invalid: [
      ['a list of numbers', [1, 2]],
      ['a list with null', ['END', null]],
      ['a list of objects', [{}]],
    ],
  },
  { field: 'stream', accepts: ['boolean'] },
  {
    field: 'temperature',
    accepts: ['number'],
    invalid: [
      ['below 0', -0.1],
      ['above 1', 1.5],
    ],
  },
  { field: 'top_p', accepts: ['number'], invalid: [['above 1', 1.01]] },
  { field: 'top_k', accepts: ['integer'], invalid: [['negative', -1]] },
  {
    field: 'metadata',
    accepts: ['object'],
    invalid: [
      ['a numeric user_id', { user_id: 5 }],
      ['a user_id over 256 characters', { user_id: 'u'.repeat(257) }],
    ],
  },
  {
    field: 'tools',
    accepts: ['array'],
    invalid: [
      ['a list of strings', ['weather']],
      ['a tool without a name', [{ input_schema: { type: 'object' } }]],
      ['a tool with a bad name', [{ name: 'no spaces allowed', input_schema: { type: 'object' } }]],
      ['a custom tool without input_schema', [{ name: 'weather' }]],
      ['an input_schema that is a string', [{ name: 'weather', input_schema: 'object' }]],
      ['an input_schema that is not an object schema', [{ name: 'weather', input_schema: { type: 'array' } }]],
      ['an input_schema without a type', [{ name: 'weather', input_schema: { properties: {} } }]],
      ['a server tool (anthropic backends only)', [{ type: 'web_search_20250305', name: 'web_search' }]],
    ],
  },
  {
    field: 'tool_choice',
    accepts: ['object'],
    invalid: [
      ['an empty object', {}],
      ['an unknown type', { type: 'sometimes' }],
      ['a tool without a name', { type: 'tool' }],
      ['a string disable_parallel_tool_use', { type: 'auto', disable_parallel_tool_use: 'yes' }],
    ],
  },
  {
    field: 'thinking',
    accepts: ['object'],
    invalid: [
      ['without a type', { budget_tokens: 2048 }],
      ['a zero budget', { type: 'enabled', budget_tokens: 0 }],
    ],
  },
  { field: 'output_config', accepts: ['object'], invalid: [['an unknown effort', { effort: 'maximum' }]] },
];

const MESSAGES_PATHS: BadRequest[] = [
  ...['GET', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
    name: `${method} /v1/messages`,
    method,
    path: '/v1/messages',
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    status: 405,
  })),
  { name: 'GET /v1/messages/count_tokens', method: 'GET', path: '/v1/messages/count_tokens', status: 405 },
  { name: 'POST /v1/messages/batches (not served)', path: '/v1/messages/batches', body: '{}', status: 404 },
  { name: 'POST /v1/messages/', path: '/v1/messages/', body: JSON.stringify(MESSAGES_BASE), status: 404 },
  { name: 'GET a message', method: 'GET', path: '/v1/messages/msg_0', status: 404 },
];

/** What a chat backend cannot be sent; count_tokens counts such requests (it sends nothing). */
const refusedForChatOnly = (what: string) => /anthropic backends only|for a chat backend/.test(what);
const COUNT_TOKENS_FIELDS: FieldSpec[] = MESSAGES_FIELDS.filter((f) => f.field !== 'max_tokens').map((f) => ({
  ...f,
  invalid: (f.invalid ?? []).filter(([what]) => !refusedForChatOnly(what)),
}));

/** The Messages API's cases: fields, blocks, headers, auth, methods and paths, broken bodies, size. */
function messagesCorpus(): BadRequest[] {
  const countBase = { model: MESSAGES_BASE.model, messages: MESSAGES_BASE.messages };
  const body = JSON.stringify(MESSAGES_BASE);
  const cases: BadRequest[] = [
    ...fieldCases('messages', '/v1/messages', MESSAGES_BASE, MESSAGES_FIELDS),
    ...fieldCases('streaming messages', '/v1/messages', { ...MESSAGES_BASE, stream: true }, MESSAGES_FIELDS),
    ...fieldCases('count_tokens', '/v1/messages/count_tokens', countBase, COUNT_TOKENS_FIELDS),
    { name: 'messages: max_tokens missing', path: '/v1/messages', body: JSON.stringify(countBase), status: 400 },
    ...MESSAGES_PATHS,
    ...AUTHORIZATION.map(([what, value]) => ({
      name: `messages: Authorization ${what}`,
      path: '/v1/messages',
      authorization: value,
      body,
      status: 401,
    })),
    {
      name: 'messages: a wrong x-api-key',
      path: '/v1/messages',
      authorization: null,
      headers: { 'x-api-key': 'sk-wrong-0123456789' },
      body,
      status: 401,
    },
  ];
  const noVersion: BadRequest[] = [];
  for (const path of ['/v1/messages', '/v1/messages/count_tokens']) {
    const wrap = (s: string) => `{"model": "m", "max_tokens": 16, "messages": [{"role": "user", "content": "${s}"}]}`;
    noVersion.push({ name: `${path}: no anthropic-version`, path, body, status: 400, shape: 'anthropic' });
    cases.push(
      { name: `${path}: anthropic-version not a date`, path, body, headers: { 'anthropic-version': 'latest' }, status: 400 },
      { name: `${path}: body over the limit`, path, body: wrap('x'.repeat(1100 * 1024)), status: 413 },
      ...BROKEN_JSON.map((text) => ({
        name: `${path}: broken JSON ${JSON.stringify(text.slice(0, 30))}`,
        path,
        body: text,
        status: 400,
      })),
      ...encodingCases(path, wrap),
      ...CONTENT_TYPES.map((type) => ({
        name: `${path}: content type ${JSON.stringify(type)}`,
        path,
        contentType: type,
        body: wrap('hi'),
        status: 415,
      })),
    );
  }
  return [...cases.map(anthropicCase), ...noVersion];
}

/** The whole corpus; `n` is at least 2,000. */
export function malformedCorpus(): BadRequest[] {
  const cases: BadRequest[] = [
    ...CHAT_BASES.flatMap(([name, base]) => fieldCases(name, '/v1/chat/completions', base, CHAT_FIELDS)),
    ...messageCases(),
    ...fieldCases('completions', '/v1/completions', { model: 'm', prompt: 'hi' }, COMPLETION_FIELDS),
    ...fieldCases(
      'streaming completions',
      '/v1/completions',
      { model: 'm', prompt: ['a', 'b'], stream: true },
      COMPLETION_FIELDS,
    ),
    ...fieldCases('embeddings', '/v1/embeddings', { model: 'm', input: 'hi' }, EMBEDDING_FIELDS),
    ...fieldCases('batch embeddings', '/v1/embeddings', { model: 'm', input: [[1, 2], [3]] }, EMBEDDING_FIELDS),
    ...fieldCases('feedback', '/v1/feedback', { request_id: 'r', score: 0.5 }, FEEDBACK_FIELDS),
    ...fieldCases('responses', '/v1/responses', { model: 'm', input: 'hi' }, RESPONSES_FIELDS),
    ...fieldCases('streaming responses', '/v1/responses', { model: 'm', input: 'hi', stream: true }, RESPONSES_FIELDS),
    ...fieldCases(
      'responses input_tokens',
      '/v1/responses/input_tokens',
      { model: 'm', input: 'hi' },
      RESPONSES_FIELDS.slice(0, 2),
    ),
    ...RESPONSES_PATHS,
    ...METHODS_AND_PATHS,
    ...AUTHORIZATION.map(([what, value]) => ({
      name: `Authorization ${what}`,
      path: '/v1/chat/completions',
      authorization: value,
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      status: 401,
    })),
  ];
  const endpoints: [string, (inner: string) => string][] = [
    ['/v1/chat/completions', (s) => `{"model": "m", "messages": [{"role": "user", "content": "${s}"}]}`],
    ['/v1/completions', (s) => `{"model": "m", "prompt": "${s}"}`],
    ['/v1/embeddings', (s) => `{"model": "m", "input": "${s}"}`],
    ['/v1/feedback', (s) => `{"request_id": "${s}", "score": 1}`],
    ['/v1/responses', (s) => `{"model": "m", "input": "${s}"}`],
  ];
  for (const [path, wrap] of endpoints) {
    for (const text of BROKEN_JSON) {
      // Bodies past a small endpoint's limit (feedback: 64 KiB) are a 413 before they are parsed.
      const status = text.length > 60_000 ? undefined : 400;
      cases.push({
        name: `${path}: broken JSON ${JSON.stringify(text.slice(0, 30))}`,
        path,
        body: text,
        ...(status ? { status } : {}),
      });
    }
    cases.push(...encodingCases(path, wrap));
    for (const type of CONTENT_TYPES) {
      cases.push({
        name: `${path}: content type ${JSON.stringify(type)}`,
        path,
        contentType: type,
        body: wrap('hi'),
        status: 415,
      });
    }
    cases.push({ name: `${path}: body over the limit`, path, body: wrap('x'.repeat(1100 * 1024)), status: 413 });
  }
  cases.push(...messagesCorpus(), ...deepCases());
  return cases;
}

/** 100,000 nested objects where each door would recurse into them (they gave 500s in the Messages door). */
function deepCases(): BadRequest[] {
  const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
  const anthropic = { headers: { 'anthropic-version': '2023-06-01' }, shape: 'anthropic' as const };
  const rows: [string, string, Partial<BadRequest>][] = [
    ['/v1/chat/completions', `{"model":"m","messages":[{"role":"user","content":"hi"}],"extra":${deep}}`, {}],
    ['/v1/responses', `{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":"x","extra":${deep}}]}`, {}],
    [
      '/v1/messages',
      `{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":${deep}}]}]}`,
      anthropic,
    ],
    [
      '/v1/messages/count_tokens',
      `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":${deep}}]}`,
      anthropic,
    ],
  ];
  return rows.map(([path, body, extra]) => ({ name: `${path}: 100,000 nested objects`, path, body, status: 400, ...extra }));
}
