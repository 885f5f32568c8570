import type { Context } from 'hono';
import { isAdmin } from '../auth/admin-key.js';
import type { AppDeps } from '../context.js';
import { badRequest, GatewayError } from '../errors.js';
import { savingsReport, type SavingsQuery } from '../savings/report.js';

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_WINDOW_MS = 93 * 86_400_000;

/** `15m`, `24h`, `7d` in ms. */
function windowMs(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text);
  const ms = m ? Number(m[1]) * (UNITS[m[2] as string] as number) : NaN;
  if (!(ms > 0 && ms <= MAX_WINDOW_MS))
    throw badRequest('window must look like 15m, 24h or 7d (at most 93d)', 'invalid_window', 'window');
  return ms;
}

/** An instant given as epoch milliseconds or an ISO 8601 date. */
function instant(text: string, name: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) throw badRequest(`${name} must be epoch milliseconds or an ISO 8601 date`, 'invalid_time', name);
  return t;
}

/** [from, to) from `from`/`to`, or the last `window` (default 24h). */
export function timeWindow(query: (name: string) => string | undefined, now: number): { from: number; to: number } {
  const to = query('to') !== undefined ? instant(query('to') as string, 'to') : now;
  const fromText = query('from');
  const from = fromText !== undefined ? instant(fromText, 'from') : to - windowMs(query('window') ?? '24h');
  if (!(from < to) || to - from > MAX_WINDOW_MS)
    throw badRequest('from must be before to, at most 93 days apart', 'invalid_window', 'from');
  return { from, to };
}

/**
 * `GET /v1/savings[?route=&tenant=&window=24h|from=&to=&baseline=&series=1]`:
 * spend and tokens per backend, against the same answers priced on a
 * baseline backend. The admin sees every tenant; an API key sees its own
 * tenant only.
 */
export function savingsRoute(deps: AppDeps) {
  return async (c: Context): Promise<Response> => {
    const ledger = deps.savings;
    if (!ledger)
      throw new GatewayError(404, 'not_found_error', 'Savings are not counted on this gateway.', { code: 'savings_off' });
    const admin = isAdmin(c, deps.admin);
    const caller = c.get('caller');
    if (!admin && !caller) {
      throw new GatewayError(403, 'permission_error', 'Savings of every tenant need the admin key.', { code: 'admin_required' });
    }
    const q = (name: string) => c.req.query(name);
    const { from, to } = timeWindow(q, Date.now());
    const query: SavingsQuery = {
      route: q('route'),
      tenant: admin ? q('tenant') : caller?.tenant,
      baseline: q('baseline'),
      series: q('series') === '1' || q('series') === 'true',
    };
    const read = await ledger.read(from, to).catch((err: unknown) => {
      throw new GatewayError(503, 'server_error', `The savings store cannot be read right now: ${(err as Error).message}`, {
        code: 'savings_unavailable',
        headers: { 'retry-after': '1' },
      });
    });
    return c.json(savingsReport(read, deps.tables.current(), query));
  };
}
