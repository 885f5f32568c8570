import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
  /** Vite's hashed files never change: cached for a year; index.html is revalidated. */
  immutable: boolean;
}

/** The console's files by URL path under /console/ ("" is index.html). */
export type ConsoleAssets = ReadonlyMap<string, Asset>;

/** Reads the built console once, at start-up; throws naming the folder when it was not built. */
export function loadConsoleAssets(dir: string): ConsoleAssets {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(dir, path).split('\\').join('/');
        const type = TYPES[extname(name)] ?? 'application/octet-stream';
        assets.set(rel, { bytes: new Uint8Array(readFileSync(path)), type, immutable: rel.startsWith('assets/') });
      }
    }
  };
  try {
    walk(dir);
  } catch (err) {
    throw new Error(`the console is not built (${dir}: ${(err as Error).message}); run npm run build`);
  }
  const index = assets.get('index.html');
  if (!index) throw new Error(`the console is not built (${dir} has no index.html); run npm run build`);
  assets.set('', index);
  return assets;
}
