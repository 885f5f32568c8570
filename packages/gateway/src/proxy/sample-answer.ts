import type { CompiledBackend } from '../table/backend.js';
import type { ProxyCall } from './proxy-call.js';

/**
 * The request was answered by `backend`: the route's sampler (if it has
 * one) draws it and may write its record. Never throws, never waits.
 */
export function sampleAnswer(w: ProxyCall, backend: CompiledBackend): void {
  const sampler = w.route.sampler;
  if (!sampler) return;
  const { c, deps, route, rank, op } = w;
  const routed = w.routedBody ?? w.body;
  const caller = c.get('caller');
  const counter = deps.metrics.samplingRecords;
  try {
    sampler.answered(
      {
        route: route.id,
        tenant: caller?.tenant,
        keyName: caller?.keyName,
        model: typeof routed.model === 'string' ? routed.model : '',
        backend: backend.name,
        score: rank.score,
        decision: rank.decision,
        operation: op.name,
        endpoint: c.req.path,
        prompt: () => rank.prompt(),
        messages: () => (Array.isArray(routed.messages) ? (routed.messages as unknown[]) : undefined),
      },
      deps.random ?? Math.random,
      (outcome) => counter.inc({ route: route.id, outcome }),
    );
  } catch (err) {
    counter.inc({ route: route.id, outcome: 'failed' });
    deps.log.warn({ err: (err as Error).message, route: route.id }, 'prompt sampling failed');
  }
}
