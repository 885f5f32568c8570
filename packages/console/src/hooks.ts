import { useEffect, useRef, useState } from 'preact/hooks';
import { Unauthorized } from './api.js';

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  refresh: () => void;
}

/**
 * Loads `load()` now and every `everyMs` (0: once), while the component is
 * shown; a 401 goes to `onUnauthorized` (the login form).
 */
export function usePoll<T>(
  load: () => Promise<T>,
  everyMs: number,
  deps: readonly unknown[],
  onUnauthorized: () => void,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    const run = () =>
      loadRef.current().then(
        (d) => {
          if (stopped) return;
          setData(d);
          setError(undefined);
        },
        (err: unknown) => {
          if (stopped) return;
          if (err instanceof Unauthorized) onUnauthorized();
          else setError((err as Error).message);
        },
      );
    void run();
    const timer = everyMs > 0 ? setInterval(() => void run(), everyMs) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [...deps, tick, everyMs]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}
