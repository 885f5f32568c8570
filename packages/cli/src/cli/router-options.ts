import { UsageError } from './args.js';

/** The options train and eval share: the data, the router and the pair. */
export const routerDataOptions = {
  data: { type: 'string', multiple: true },
  router: { type: 'string' },
  encoder: { type: 'string' },
  strong: { type: 'string' },
  weak: { type: 'string' },
  seed: { type: 'string' },
  labels: { type: 'string' },
  'label-map': { type: 'string' },
  prices: { type: 'string' },
  target: { type: 'string' },
} as const;

/** Router kinds that learn a per-prompt target from every model's scores (`--target`). */
export const TARGET_KINDS = ['knn', 'cluster'];

/**
 * `--target gain|difficulty`, checked: it says what knn and cluster learn per prompt,
 * so with another kind it is an error rather than silently ignored.
 */
export function targetOption(target: string | undefined, router: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  if (target !== 'gain' && target !== 'difficulty')
    throw new UsageError(`--target takes "gain" or "difficulty", got "${target}"`);
  if (!router || !TARGET_KINDS.includes(router))
    throw new UsageError(`--target applies to the ${TARGET_KINDS.join(', ')} routers, not "${router ?? ''}"`);
  return target;
}
