import type { Window } from './store.js';

const MINUTE = 60_000;

/** The current UTC minute. */
export function minuteWindow(now: number): Window {
  const start = Math.floor(now / MINUTE) * MINUTE;
  return { start, end: start + MINUTE };
}

/** The current UTC calendar hour, day or month. */
export function periodWindow(period: 'hour' | 'day' | 'month', now: number): Window {
  const d = new Date(now);
  if (period === 'hour') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
    return { start, end: start + 3_600_000 };
  }
  if (period === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}
