import { extname, isAbsolute, join, resolve } from 'node:path';
import type { LLMRoute, Problem } from '@switchboard/api';
import { patternProblem } from '../sampling/redact.js';
import type { ResolvedSecrets } from './secrets.js';
import type { RouteOrigin, SamplingPlan } from './types.js';

export const DEFAULT_SAMPLE_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_SAMPLE_MAX_FILES = 5;
export const DEFAULT_SAMPLE_STREAM_LENGTH = 100_000;
export const DEFAULT_MAX_PROMPT_CHARS = 8192;
export const DEFAULT_REDACTION = '[REDACTED]';

/**
 * Where `sampling.file` may write. `paths` (standalone mode): any path, a
 * relative one against the route file's folder. `dir` (Kubernetes mode, or
 * `--sampling-dir`): route authors do not own the gateway's filesystem, so
 * the path must be a plain file name, written under `dir/<namespace>/`; with
 * no directory given, file sampling is refused.
 */
export type SamplingFiles = ({ kind: 'paths' } | { kind: 'dir'; dir: string | undefined }) & {
  /**
   * This process's worker slot (1..N) when several worker processes share the
   * port (`serve --workers N`): each writes its own file, `smart.jsonl` as
   * `smart.w2.jsonl`, because processes cannot take turns on one file the way
   * the writers inside one process do, and two of them rotating it at once
   * lose a rotated file. The slot is stable: a replaced worker takes over
   * the dead one's file, so the files stay N.
   */
  worker?: number | undefined;
};

/** The deployment's rule: a sampling directory confines files; Kubernetes mode without one refuses them. */
export const samplingFilesFor = (kubernetes: boolean, dir: string | undefined, worker?: number): SamplingFiles => ({
  ...(kubernetes || dir !== undefined ? { kind: 'dir', dir } : { kind: 'paths' }),
  ...(worker !== undefined ? { worker } : {}),
});

/** `path` with the worker slot before its extension: `smart.jsonl` -> `smart.w2.jsonl`, `samples` -> `samples.w2`. */
export function workerFile(path: string, worker: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.w${worker}${ext}`;
}

type Sampling = NonNullable<LLMRoute['spec']['sampling']>;

/** A plain file name: no folder part, no `..`, not hidden, nothing a shell or a path join could read otherwise. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/** `spec.sampling` to its plan (pure); problems reject the route. */
export function planSampling(
  sampling: Sampling | undefined,
  origin: RouteOrigin,
  secrets: ResolvedSecrets,
  files: SamplingFiles,
  problems: Problem[],
): SamplingPlan | undefined {
  if (!sampling) return undefined;
  const at = 'spec.sampling';
  const redact: SamplingPlan['redact'] = [];
  (sampling.redact ?? []).forEach((r, i) => {
    const problem = patternProblem(r.pattern, r.flags ?? '');
    if (problem) problems.push({ path: `${at}.redact[${i}].pattern`, message: problem });
    else redact.push({ pattern: r.pattern, flags: r.flags ?? '', replacement: r.replacement ?? DEFAULT_REDACTION });
  });
  const common = { rate: sampling.rate, maxPromptChars: sampling.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS, redact };
  if (sampling.file && !sampling.redis) {
    const given = filePath(sampling.file.path, origin, files, `${at}.file.path`, problems);
    if (given === undefined) return undefined;
    const path = files.worker === undefined ? given : workerFile(given, files.worker);
    return {
      ...common,
      sink: {
        kind: 'file',
        path,
        maxBytes: sampling.file.maxBytes ?? DEFAULT_SAMPLE_MAX_BYTES,
        maxFiles: sampling.file.maxFiles ?? DEFAULT_SAMPLE_MAX_FILES,
        ...(files.kind === 'dir' && files.dir !== undefined ? { confinedTo: resolve(files.dir) } : {}),
      },
    };
  }
  if (sampling.redis && !sampling.file) {
    const r = sampling.redis;
    let password: string | undefined;
    if (r.auth) {
      const resolved = secrets(r.auth, origin);
      if ('error' in resolved) {
        problems.push({
          path: `${at}.redis.auth`,
          message: resolved.error,
          ...(resolved.reason ? { reason: resolved.reason } : {}),
        });
        return undefined;
      }
      password = resolved.key;
    }
    try {
      const url = new URL(r.url);
      if (url.password || url.username) {
        problems.push({ path: `${at}.redis.url`, message: 'the URL must not carry credentials: put the password in auth' });
        return undefined;
      }
    } catch {
      problems.push({ path: `${at}.redis.url`, message: `invalid URL "${r.url.slice(0, 100)}"` });
      return undefined;
    }
    return {
      ...common,
      sink: { kind: 'redis', url: r.url, stream: r.stream, maxLength: r.maxLength ?? DEFAULT_SAMPLE_STREAM_LENGTH, password },
    };
  }
  problems.push({ path: at, message: 'sampling must set exactly one of file or redis' });
  return undefined;
}

function filePath(
  given: string,
  origin: RouteOrigin,
  files: SamplingFiles,
  path: string,
  problems: Problem[],
): string | undefined {
  if (files.kind === 'paths') return isAbsolute(given) || !origin.file ? resolve(given) : resolve(origin.file, '..', given);
  if (files.dir === undefined) {
    problems.push({
      path,
      message:
        'sampling.file is not allowed in Kubernetes mode unless the gateway runs with --sampling-dir DIR (route authors do not choose paths on the gateway pod); use sampling.redis, or ask the operator for a sampling directory',
      reason: 'SamplingFileNotAllowed',
    });
    return undefined;
  }
  if (!PLAIN_NAME.test(given) || given.includes('..')) {
    problems.push({
      path,
      message: `"${given.slice(0, 100)}" is not a plain file name: with --sampling-dir the file is a name (letters, digits, . _ -; no folders, no ..) inside the gateway's sampling directory`,
      reason: 'SamplingFileNotAllowed',
    });
    return undefined;
  }
  // Each namespace gets its own folder: one namespace's route can neither name nor rotate another's file.
  return join(resolve(files.dir), origin.namespace, given);
}
