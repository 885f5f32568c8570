/** Money as priced in the routes (usually US dollars), with enough digits for fractions of a cent. */
export function money(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n === 0) return '0';
  const abs = Math.abs(n);
  return abs >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

export const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'));

export const percent = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : `${(n * 100).toFixed(digits)} %`;

export const ms = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

export const clock = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });

/** A figure from a strategy: numbers to 4 significant digits. */
export const figure = (v: unknown) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : typeof v === 'string' ? v : JSON.stringify(v);
