import { createAjv } from './ajv.js';
import { LineCounter, parseDocument } from 'yaml';
import type { ApiKeys } from './generated/api-keys.js';
import type { Problem } from './problem.js';
import { apiKeysSchema, llmRouteSchema } from './schema.js';
import { toProblem } from './validate.js';

const ajv = createAjv({ allErrors: true, useDefaults: true });
ajv.addSchema(llmRouteSchema);
const check = ajv.compile<ApiKeys>(apiKeysSchema);

export type ApiKeysResult = { ok: true; config: ApiKeys } | { ok: false; problems: Problem[] };

/** Parses and validates an API keys file (YAML or JSON); problems carry the file and line. */
export function loadApiKeysFromYaml(text: string, file: string): ApiKeysResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        path: '',
        message: e.message.split('\n')[0] ?? e.code,
        line: lines.linePos(e.pos[0]).line,
      })),
    };
  }
  const value: unknown = doc.toJS();
  if (!check(value)) return { ok: false, problems: (check.errors ?? []).map((e) => ({ ...toProblem(e), file })) };
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  const hashes = new Map<string, number>();
  value.keys.forEach((k, i) => {
    if (names.has(k.name)) problems.push({ file, path: `keys[${i}].name`, message: `duplicate key name "${k.name}"` });
    if (hashes.has(k.sha256))
      problems.push({ file, path: `keys[${i}].sha256`, message: `same key as keys[${hashes.get(k.sha256)}]` });
    names.set(k.name, i);
    hashes.set(k.sha256, i);
  });
  return problems.length ? { ok: false, problems } : { ok: true, config: value };
}
