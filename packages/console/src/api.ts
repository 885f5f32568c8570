// Every call the console makes goes to the gateway that served it, with the
// admin key (kept for this browser tab only) when one was entered.

const KEY = 'switchboard-admin-key';

/** The console API answered 401: the admin key is missing or wrong. */
export class Unauthorized extends Error {}

export function adminKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setAdminKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

function headers(extra: Record<string, string> = {}, key: string | null = adminKey()): Record<string, string> {
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

async function errorOf(res: Response): Promise<Error> {
  if (res.status === 401) return new Unauthorized('The admin key is missing or wrong.');
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return new Error(body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export interface Posted<T> {
  json: T;
  headers: Headers;
}

/** POST a JSON body; `key` replaces the admin key (a gateway API key for real requests; '' for none). */
export async function postJson<T>(
  path: string,
  body: unknown,
  extra: Record<string, string> = {},
  key?: string,
): Promise<Posted<T>> {
  const res = await fetch(path, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json', ...extra }, key === undefined ? adminKey() : key || null),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return { json: (await res.json()) as T, headers: res.headers };
}
