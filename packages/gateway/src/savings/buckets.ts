/** Savings are counted in time buckets of a minute (kept two days) and of an hour (kept 93 days). */
export type Resolution = 'minute' | 'hour';

export const BUCKET_MS: Readonly<Record<Resolution, number>> = { minute: 60_000, hour: 3_600_000 };
/** How long a bucket is kept after its start. */
export const RETENTION_MS: Readonly<Record<Resolution, number>> = { minute: 2 * 86_400_000, hour: 93 * 86_400_000 };
/** Windows up to this long are read in minutes (when still kept), longer ones in hours. */
const MINUTES_UP_TO_MS = 6 * 3_600_000;

export const bucketStart = (resolution: Resolution, at: number) => Math.floor(at / BUCKET_MS[resolution]) * BUCKET_MS[resolution];

/** The resolution a window [from, to) is read at. */
export function resolutionFor(from: number, to: number, now: number): Resolution {
  const minutesKept = from >= now - RETENTION_MS.minute + BUCKET_MS.hour;
  return to - from <= MINUTES_UP_TO_MS && minutesKept ? 'minute' : 'hour';
}

/** The starts of every bucket overlapping [from, to). */
export function bucketStarts(resolution: Resolution, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let s = bucketStart(resolution, from); s < to; s += BUCKET_MS[resolution]) starts.push(s);
  return starts;
}

/** What a counted figure is about: a backend's calls, the request's answer, or the cost of routing. */
export type FieldKind = 'call' | 'answer' | 'routing';
export type Metric = 'calls' | 'requests' | 'promptTokens' | 'completionTokens' | 'spendNano';

/** A figure's name in a bucket: any route, tenant or backend name fits (JSON-encoded). */
export const fieldName = (kind: FieldKind, route: string, tenant: string, name: string, metric: Metric) =>
  JSON.stringify([kind, route, tenant, name, metric]);

export interface Field {
  kind: FieldKind;
  route: string;
  tenant: string;
  name: string;
  metric: Metric;
}

/** A field name back to its parts; undefined for anything this version did not write. */
export function parseField(text: string): Field | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v) || v.length !== 5 || !v.every((x) => typeof x === 'string')) return undefined;
    const [kind, route, tenant, name, metric] = v as [FieldKind, string, string, string, Metric];
    return { kind, route, tenant, name, metric };
  } catch {
    return undefined;
  }
}
