// Renders the reference pages in docs/ from the JSON Schemas' descriptions,
// so every field is documented in one place and the pages cannot drift.
import { writeFile } from 'node:fs/promises';
import { loadSchemas } from './schemas.js';

const root = new URL('../../../', import.meta.url);
const refName = (ref) => ref.split('/').pop();

function typeOf(p) {
  if (p.$ref) return `[${refName(p.$ref)}](#${refName(p.$ref).toLowerCase()})`;
  if (p.const) return `\`${JSON.stringify(p.const)}\``;
  if (p.enum) return p.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (p.type === 'array') return `list of ${typeOf(p.items)}`;
  if (p.type === 'object' && p.additionalProperties && typeof p.additionalProperties === 'object') {
    return `map of name to ${typeOf(p.additionalProperties)}`;
  }
  return p.type ?? 'object';
}

function limits(p) {
  const out = [];
  if (p.default !== undefined) out.push(`default \`${JSON.stringify(p.default)}\``);
  if (p.minimum !== undefined) out.push(`min ${p.minimum}`);
  if (p.exclusiveMinimum !== undefined) out.push(`> ${p.exclusiveMinimum}`);
  if (p.maximum !== undefined) out.push(`max ${p.maximum}`);
  if (p.minItems !== undefined) out.push(`${p.minItems}..${p.maxItems ?? ''} items`);
  if (p.maxLength !== undefined) out.push(`max ${p.maxLength} chars`);
  if (p.pattern) out.push(`pattern \`${p.pattern.replace(/\|/g, '\\|')}\``);
  return out.join(', ');
}

function section(name, def, defs) {
  const required = new Set(def.required ?? []);
  const lines = [`## ${name}`, '', def.description ?? '', ''];
  if (def.minProperties === 1 && def.maxProperties === 1) lines.push('Set exactly one field.', '');
  if (def.properties) {
    lines.push('| Field | Type | Required | Description | Limits |', '|---|---|---|---|---|');
    for (const [field, p] of Object.entries(def.properties)) {
      const desc = (p.description ?? (p.$ref ? defs[refName(p.$ref)]?.description : '') ?? '').replace(/\|/g, '\\|');
      lines.push(`| \`${field}\` | ${typeOf(p)} | ${required.has(field) ? 'yes' : ''} | ${desc} | ${limits(p)} |`);
    }
    lines.push('');
  } else {
    lines.push(`Type: ${typeOf(def)}${limits(def) ? `; ${limits(def)}` : ''}.`, '');
  }
  return lines.join('\n');
}

async function render(schema, title, source, file) {
  const defs = schema.definitions;
  const out = [
    `# ${title}`,
    '',
    `<!-- Generated from packages/api/schema/${source} by packages/api/scripts/generate-docs.js. Do not edit. -->`,
    '',
    schema.description,
    '',
    section(schema.title, schema, defs),
    ...Object.entries(defs).map(([name, def]) => section(name, def, defs)),
  ].join('\n');
  await writeFile(new URL(`docs/${file}`, root), `${out.trimEnd()}\n`);
}

const schemas = await loadSchemas();
await render(
  schemas.llmroute,
  'LLMRoute reference (switchboard.dev/v1alpha1)',
  'llmroute.v1alpha1.json',
  'llmroute-reference.md',
);
await render(schemas.apiKeys, 'API keys file reference', 'api-keys.v1.json', 'api-keys-reference.md');
