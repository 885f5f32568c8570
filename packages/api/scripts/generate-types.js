// Regenerates src/generated/*.ts from the JSON Schemas, the single source of
// truth. CI reruns it and fails when the checked-in files differ.
import { writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';
import { loadSchemas } from './schemas.js';

const root = new URL('..', import.meta.url);
const { llmroute, apiKeys } = await loadSchemas();
const options = (source) => ({
  bannerComment: `/* Generated from schema/${source} by scripts/generate-types.js. Do not edit. */`,
  additionalProperties: false,
  unreachableDefinitions: false,
  ignoreMinAndMaxItems: true,
  style: { singleQuote: true },
});
await writeFile(
  new URL('src/generated/llmroute.ts', root),
  await compile(llmroute, 'LLMRoute', options('llmroute.v1alpha1.json')),
);
await writeFile(new URL('src/generated/api-keys.ts', root), await compile(apiKeys, 'ApiKeys', options('api-keys.v1.json')));
