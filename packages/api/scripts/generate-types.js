// Regenerates src/generated/llmroute.ts from the JSON Schema, the single
// source of truth. CI reruns it and fails when the checked-in file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

const root = new URL('..', import.meta.url);
const schema = JSON.parse(await readFile(new URL('schema/llmroute.v1alpha1.json', root), 'utf8'));
const ts = await compile(schema, 'LLMRoute', {
  bannerComment: '/* Generated from schema/llmroute.v1alpha1.json by scripts/generate-types.js. Do not edit. */',
  additionalProperties: false,
  unreachableDefinitions: false,
  ignoreMinAndMaxItems: true,
  style: { singleQuote: true },
});
await writeFile(new URL('src/generated/llmroute.ts', root), ts);
