import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import type { LLMRoute } from './generated/llmroute.js';
import type { Problem } from './problem.js';
import { validateLLMRoute } from './validate.js';

export interface LoadedRoute {
  route: LLMRoute;
  file: string;
}

export interface LoadResult {
  routes: LoadedRoute[];
  problems: Problem[];
}

/**
 * Parses every YAML document in `text` as an LLMRoute. Syntax errors and
 * schema problems come back with the file, the field path and the line, so
 * an operator can go straight to the mistake. Empty documents are skipped.
 */
export function loadRoutesFromYaml(text: string, file: string): LoadResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const result: LoadResult = { routes: [], problems: [] };
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) {
      for (const err of doc.errors) {
        result.problems.push({ file, path: '', message: err.message.split('\n')[0] ?? err.code, ...at(err.pos[0]) });
      }
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const checked = validateLLMRoute(value);
    if (checked.ok) {
      result.routes.push({ route: checked.route, file });
    } else {
      for (const p of checked.problems) result.problems.push({ ...p, file, ...at(offsetOf(doc, p.path)) });
    }
  }
  return result;
}

/** Source offset of the deepest node that exists along `path`. */
function offsetOf(doc: Document, path: string): number | undefined {
  const keys = path.match(/[^.[\]]+/g)?.map((k) => (/^\d+$/.test(k) ? Number(k) : k)) ?? [];
  for (let n = keys.length; n >= 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
