import { Redis } from 'ioredis';

/**
 * A Redis client for shared state (limits, learning) that fails fast: no
 * offline queue, no retries per command, a short command timeout, so a
 * caller can fail open or closed at once instead of piling requests up.
 * It keeps reconnecting in the background.
 */
export function failFastRedis(
  url: string,
  opts: { prefix: string; commandTimeoutMs?: number | undefined; password?: string | undefined },
): Redis {
  const redis = new Redis(url, {
    keyPrefix: opts.prefix,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    enableOfflineQueue: false,
    commandTimeout: opts.commandTimeoutMs ?? 500,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  // Connection errors surface on commands; this keeps them off the process's unhandled path.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once the client is connected (start-up checks and tests). */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
