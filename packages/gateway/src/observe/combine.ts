import type {
  AttemptObservation,
  AttemptStart,
  RequestObservation,
  RequestObserver,
  RequestStart,
  SideCall,
} from './observer.js';

/** Several observers as one; undefined when there are none, so the proxy's hooks cost nothing. */
export function combineObservers(observers: readonly (RequestObserver | undefined)[]): RequestObserver | undefined {
  const all = observers.filter((o): o is RequestObserver => o !== undefined);
  if (all.length <= 1) return all[0];
  return {
    begin: (start: RequestStart) => fanOut(all.map((o) => o.begin(start))),
    sideCall: (call: SideCall) => {
      for (const o of all) o.sideCall?.(call);
    },
  };
}

function fanOut(each: RequestObservation[]): RequestObservation {
  return {
    routed: (d) => each.forEach((o) => o.routed(d)),
    attempt: (start: AttemptStart) => fanOutAttempt(each.map((o) => o.attempt(start))),
    end: (e) => each.forEach((o) => o.end(e)),
  };
}

function fanOutAttempt(each: AttemptObservation[]): AttemptObservation {
  // Only tracing sends headers; if two observers did, the later one's would win.
  let headers: Record<string, string> | undefined;
  for (const a of each) if (a.headers) headers = { ...headers, ...a.headers };
  return {
    headers,
    settled: (usage, cost) => each.forEach((a) => a.settled(usage, cost)),
    end: (e) => each.forEach((a) => a.end(e)),
  };
}
