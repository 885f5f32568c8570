// Renders docs/llmroute-reference.md from the JSON Schema's descriptions, so
// every field is documented in one place and the page cannot drift.
import { readFile, writeFile } from 'node:fs/promises';

const root = new URL('../../../', import.meta.url);
const schema = JSON.parse(await readFile(new URL('packages/api/schema/llmroute.v1alpha1.json', root), 'utf8'));
const defs = schema.definitions;

const refName = (ref) => ref.split('/').pop();
function typeOf(p) {
  if (p.$ref) return `[${refName(p.$ref)}](#${refName(p.$ref).toLowerCase()})`;
  if (p.const) return `\`${JSON.stringify(p.const)}\``;
  if (p.enum) return p.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (p.type === 'array') return `list of ${typeOf(p.items)}`;
  return p.type ?? 'object';
}
function limits(p) {
  const out = [];
  if (p.default !== undefined) out.push(`default \`${JSON.stringify(p.default)}\``);
  if (p.minimum !== undefined) out.push(`min ${p.minimum}`);
  if (p.maximum !== undefined) out.push(`max ${p.maximum}`);
  if (p.minItems !== undefined) out.push(`${p.minItems}..${p.maxItems ?? ''} items`);
  if (p.maxLength !== undefined) out.push(`max ${p.maxLength} chars`);
  if (p.pattern) out.push(`pattern \`${p.pattern.replace(/\|/g, '\\|')}\``);
  return out.join(', ');
}
function section(name, def) {
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

const out = [
  '# LLMRoute reference (switchboard.dev/v1alpha1)',
  '',
  '<!-- Generated from packages/api/schema/llmroute.v1alpha1.json by packages/api/scripts/generate-docs.js. Do not edit. -->',
  '',
  schema.description,
  '',
  section('LLMRoute', schema),
  ...Object.entries(defs).map(([name, def]) => section(name, def)),
].join('\n');
await writeFile(new URL('docs/llmroute-reference.md', root), `${out.trimEnd()}\n`);
