import {
  Observable,
  ResponseContext,
  type CoreV1Api,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** A Table answer without the objects: one row of cells (name, type, data count, age) per Secret. */
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** `namespace/name` of a Secret. */
export type SecretName = `${string}/${string}`;

export const splitSecretName = (n: SecretName): [namespace: string, name: string] => {
  const slash = n.indexOf('/');
  return [n.slice(0, slash), n.slice(slash + 1)];
};

/** Whether one Secret exists; false also when the API would not say. */
export type ExistenceProbe = (secret: SecretName) => Promise<boolean>;

export interface SecretExistenceOptions {
  /** How long an answer is kept (default 30 s). */
  ttlMs?: number;
  /** Probes per call at most (default 64); the others count as absent until a later call. */
  maxProbes?: number;
}

/**
 * Whether Secrets exist that the gateway does not cache (those without the
 * credential label), so a route naming one is told to add the label rather
 * than that the Secret is missing. Route authors choose the names, so the
 * API server is asked a few at a time, at most `maxProbes` per call, and
 * each answer is kept for `ttlMs`: a namespace full of routes naming
 * missing Secrets costs a bounded number of requests.
 */
export class SecretExistence {
  readonly #known = new Map<SecretName, { exists: boolean; at: number }>();
  readonly #ttlMs: number;
  readonly #maxProbes: number;

  constructor(
    private readonly probe: ExistenceProbe,
    opts: SecretExistenceOptions = {},
  ) {
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#maxProbes = opts.maxProbes ?? 64;
  }

  /** The given Secrets known to exist. */
  async existing(names: readonly SecretName[]): Promise<Set<SecretName>> {
    const now = Date.now();
    for (const [n, known] of this.#known) if (now - known.at > this.#ttlMs) this.#known.delete(n);
    const unknown = [...new Set(names)].filter((n) => !this.#known.has(n)).slice(0, this.#maxProbes);
    for (let i = 0; i < unknown.length; i += 4) {
      await Promise.all(unknown.slice(i, i + 4).map(async (n) => this.#known.set(n, { exists: await this.probe(n), at: now })));
    }
    return new Set(names.filter((n) => this.#known.get(n)?.exists));
  }
}

/**
 * Asks the API server whether a Secret exists, reading nothing of it but its
 * name: a list by name answered as a Table with `includeObject=None` (no
 * data, no annotations — a `kubectl apply`'d Secret has its data in one).
 */
export function tableProbe(core: Pick<CoreV1Api, 'listNamespacedSecret'>, log: Logger): ExistenceProbe {
  return async (secret) => {
    const [namespace, name] = splitSecretName(secret);
    let rows = 0;
    try {
      await core.listNamespacedSecret(
        { namespace, fieldSelector: `metadata.name=${name}` },
        { middleware: [tableOnly((n) => (rows = n))], middlewareMergeStrategy: 'append' },
      );
      return rows > 0;
    } catch (err) {
      log.debug({ secret, err: (err as Error).message }, 'could not tell whether the Secret exists');
      return false;
    }
  };
}

/** Asks for a Table without objects and hands its row count to `count`; client-node then parses an empty list. */
function tableOnly(count: (rows: number) => void): ObservableMiddleware {
  return {
    pre: (ctx: RequestContext) => {
      ctx.setHeaderParam('Accept', TABLE);
      ctx.setQueryParam('includeObject', 'None');
      return new Observable(Promise.resolve(ctx));
    },
    post: (rsp: ResponseContext) =>
      new Observable(
        (async () => {
          if (rsp.httpStatusCode !== 200) return rsp;
          const table = JSON.parse(await rsp.body.text()) as { rows?: unknown[] };
          count(table.rows?.length ?? 0);
          const empty = '{"items":[]}';
          return new ResponseContext(200, rsp.headers, {
            text: () => Promise.resolve(empty),
            binary: () => Promise.resolve(Buffer.from(empty)),
          });
        })(),
      ),
  };
}
