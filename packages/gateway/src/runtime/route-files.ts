import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

/**
 * Files a route names (a collaboration policy, calibration prompts, router
 * folders, an ONNX model and its tokenizer.json, a backend's tokenizer.json)
 * are read through here, in one way:
 *
 * - Standalone mode (the operator's own route files): an absolute path, or
 *   one relative to the route file's folder.
 * - Kubernetes mode (`confineTo`: the operator's model folders): a path
 *   relative to one of those folders (or to the working directory, so that
 *   `models/default` keeps naming the image's router), or an absolute path;
 *   either way its real path (symlinks resolved) must lie inside one of the
 *   folders. A path that does not exist and a path outside them get the same
 *   message: a route author learns nothing about the rest of the pod.
 * - Everywhere: only regular files (not /dev/zero, a FIFO, a folder), and no
 *   more than a cap per kind of file, checked before a byte is read; text is
 *   read with the cap enforced again while reading. A JSON file that does not
 *   parse is reported by line and column, never with the parser's quote of
 *   its text.
 */

const MiB = 1024 * 1024;

/** The most bytes read from each kind of file a route names (models have no cap: they are regular files in the operator's folders). */
export const ROUTE_FILE_LIMITS = {
  /** A collaboration policy (JSON) or calibration prompts (JSON Lines or text). */
  text: 8 * MiB,
  /** A HuggingFace tokenizer.json (large vocabularies are tens of MiB). */
  tokenizer: 64 * MiB,
  /** A router's router.json (its metadata; weights.bin is a model file). */
  routerJson: 8 * MiB,
  /** A key file (auth.file). */
  key: 64 * 1024,
} as const;

/** Where a route's relative paths start and, in Kubernetes mode, the folders its files must be in. */
export interface RouteFileScope {
  /** Route file (standalone mode): relative paths are resolved against its folder. */
  file?: string | undefined;
  /** Kubernetes mode: the operator's folders every file the route names must resolve inside. Absent: any path (standalone). */
  confineTo?: readonly string[] | undefined;
}

/** What kind of file, for messages, and its cap (undefined: a model file, no cap). */
export interface RouteFileKind {
  what: string;
  maxBytes?: number | undefined;
}

/** A problem with a file a route names; `reason` goes to the route's status condition. */
export class RouteFileError extends Error {
  constructor(
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'RouteFileError';
  }
}

const size = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB ? 1 : 0)} MiB` : `${bytes} bytes`);

/** The folders that exist, as real paths (a root given as a symlink is its target). */
function realRoots(dirs: readonly string[]): string[] {
  const roots: string[] = [];
  for (const dir of dirs) {
    try {
      const real = realpathSync(resolve(dir));
      if (!roots.includes(real)) roots.push(real);
    } catch {
      // An absent folder (no models volume) allows nothing.
    }
  }
  return roots;
}

const inside = (real: string, roots: readonly string[]) =>
  roots.some((root) => real.startsWith(root.endsWith(sep) ? root : root + sep));

/** The one message for a name that is outside the allowed folders or does not exist there. */
function notAllowed(spec: string, kind: RouteFileKind, dirs: readonly string[], noun = 'file'): RouteFileError {
  const where = dirs.length ? dirs.map((d) => resolve(d)).join(', ') : 'none configured';
  return new RouteFileError(
    `${kind.what} "${spec.slice(0, 200)}": no such ${noun} in the gateway's model folders (${where}); in Kubernetes mode a route may name only files in them, by a path relative to one of them or an absolute path inside one`,
    'FileNotAllowed',
  );
}

/** Where a relative `spec` is looked for, in order. */
function bases(scope: RouteFileScope, extra: readonly string[]): string[] {
  const first = scope.confineTo ? [...scope.confineTo, process.cwd()] : [scope.file ? resolve(scope.file, '..') : process.cwd()];
  return [...new Set([...first, ...extra].map((b) => resolve(b)))];
}

interface Found {
  /** The path as written, resolved against the base it was found in. */
  path: string;
  /** Its real path (no symlinks): what is read. */
  real: string;
}

/** The first candidate that exists (and, confined, whose real path lies in the folders); undefined when none. */
function find(spec: string, scope: RouteFileScope, extra: readonly string[]): { found?: Found; looked: string[] } {
  const candidates = isAbsolute(spec) ? [resolve(spec)] : bases(scope, extra).map((b) => resolve(b, spec));
  const roots = scope.confineTo ? realRoots(scope.confineTo) : undefined;
  for (const path of candidates) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue;
    }
    if (roots && !inside(real, roots)) continue;
    return { found: { path, real }, looked: candidates };
  }
  return { looked: candidates };
}

/** Refuses what is not a regular file or is larger than the kind's cap. */
function checkRegular(real: string, shown: string, kind: RouteFileKind): void {
  let st;
  try {
    st = statSync(real);
  } catch (err) {
    throw new RouteFileError(`cannot read ${kind.what} ${shown}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!st.isFile()) throw new RouteFileError(`${kind.what} ${shown} is not a regular file`);
  if (kind.maxBytes !== undefined && st.size > kind.maxBytes) {
    throw new RouteFileError(`${kind.what} ${shown} is ${size(st.size)}, more than the ${size(kind.maxBytes)} it may be`);
  }
}

/**
 * A file a route names -> its real path, checked (see above): confined in
 * Kubernetes mode, a regular file, within the kind's cap. `extraBases`: more
 * folders a relative name is looked for in after the usual one (a router's
 * models folder). Throws a RouteFileError whose message quotes only `spec`.
 */
export function routeFile(spec: string, scope: RouteFileScope, kind: RouteFileKind, extraBases: readonly string[] = []): string {
  if (spec.includes('\0')) throw new RouteFileError(`${kind.what}: a path cannot contain a NUL character`);
  const { found, looked } = find(spec, scope, extraBases);
  if (!found) {
    if (scope.confineTo) throw notAllowed(spec, kind, scope.confineTo);
    throw new RouteFileError(`no ${kind.what} ${spec} (looked in ${looked.join(', ')})`);
  }
  checkRegular(found.real, scope.confineTo ? `"${spec.slice(0, 200)}"` : found.path, kind);
  return found.real;
}

/**
 * A router folder a route names (router.json + weights.bin): a path, or a
 * name under `modelsDir`. Both files are checked as routeFile checks one
 * (router.json capped, weights.bin a model file). Returns the folder as
 * found (its name shows in decisions); throws naming the places looked
 * (standalone) or the uniform refusal (Kubernetes mode).
 */
export function routerDir(spec: string, scope: RouteFileScope, modelsDir: string): string {
  const kind = { what: 'router', maxBytes: ROUTE_FILE_LIMITS.routerJson };
  if (spec.includes('\0')) throw new RouteFileError('router: a path cannot contain a NUL character');
  const { found, looked } = find(join(spec, 'router.json'), scope, [process.cwd(), modelsDir]);
  if (!found) {
    if (scope.confineTo) throw notAllowed(spec, kind, scope.confineTo, 'router folder');
    throw new RouteFileError(`no router "${spec}" (looked for router.json in ${looked.map((l) => dirname(l)).join(', ')})`);
  }
  const dir = dirname(found.path);
  const shown = (name: string) => (scope.confineTo ? `"${join(spec, name).slice(0, 200)}"` : join(dir, name));
  checkRegular(found.real, shown('router.json'), kind);
  const weights = find(join(dir, 'weights.bin'), scope, []).found;
  if (!weights) {
    if (scope.confineTo) throw notAllowed(join(spec, 'weights.bin'), { what: 'router weights' }, scope.confineTo);
    throw new RouteFileError(`router ${dir} has no weights.bin`);
  }
  checkRegular(weights.real, shown('weights.bin'), { what: 'router weights' });
  return dir;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * A regular file's bytes, at most `maxBytes`: refused before it is opened
 * when it is not a regular file (opening a device or a FIFO can block or act)
 * or is larger, and again while reading (a file that grows). Messages name
 * `shown` (the path, or the route's name for it) and never the content.
 */
export function readBounded(path: string, maxBytes: number, what: string, shown: string = path): Buffer {
  const kind = { what, maxBytes };
  let fd: number;
  try {
    const real = realpathSync(path);
    checkRegular(real, shown, kind);
    // Non-blocking and not through a symlink: what was checked is what is read, whatever replaced it since.
    fd = openSync(real, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if (err instanceof RouteFileError) throw err;
    throw new RouteFileError(`cannot read ${what} ${shown}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RouteFileError(`${what} ${shown} is not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new RouteFileError(`${what} ${shown} is more than the ${size(maxBytes)} it may be`);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof RouteFileError) throw err;
    throw new RouteFileError(`cannot read ${what} ${shown}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    closeSync(fd);
  }
}

/** readBounded as UTF-8 text. */
export const readBoundedText = (path: string, maxBytes: number, what: string, shown?: string): string =>
  readBounded(path, maxBytes, what, shown).toString('utf8');

/**
 * JSON.parse whose error says which file (and, for a line of a JSONL file,
 * which line) but not the text: V8's messages quote the input ("Unexpected
 * token 'h', "hunter2" is not valid JSON"), and a route's status is no
 * place for a file's content. `jq . FILE` shows the operator where.
 */
export function parseJson(text: string, what: string, line?: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RouteFileError(`${what} is not valid JSON${line === undefined ? '' : ` (line ${line})`}`);
  }
}
