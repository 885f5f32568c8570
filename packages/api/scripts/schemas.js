// The schemas, with references between them inlined: the type and doc
// generators work on one self-contained document each.
import { readFile } from 'node:fs/promises';

const root = new URL('..', import.meta.url);
const read = async (name) => JSON.parse(await readFile(new URL(`schema/${name}`, root), 'utf8'));

export async function loadSchemas() {
  const llmroute = await read('llmroute.v1alpha1.json');
  const apiKeys = await read('api-keys.v1.json');
  const inline = (node) => {
    if (Array.isArray(node)) return node.map(inline);
    if (node && typeof node === 'object') {
      if (typeof node.$ref === 'string' && node.$ref.startsWith('llmroute.v1alpha1.json#/definitions/')) {
        const name = node.$ref.split('/').pop();
        apiKeys.definitions[name] ??= llmroute.definitions[name];
        return { ...node, $ref: `#/definitions/${name}` };
      }
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    }
    return node;
  };
  const keys = inline(apiKeys);
  keys.definitions = { ...apiKeys.definitions, ...keys.definitions };
  return { llmroute, apiKeys: keys };
}
