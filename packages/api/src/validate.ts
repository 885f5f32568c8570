import type { ErrorObject } from 'ajv';
import { createAjv } from './ajv.js';
import type { LLMRoute } from './generated/llmroute.js';
import type { Problem } from './problem.js';
import { llmRouteSchema } from './schema.js';

export type ValidationResult = { ok: true; route: LLMRoute } | { ok: false; problems: Problem[] };

const ajv = createAjv({ allErrors: true, useDefaults: true, strictTuples: false });
const checkSchema = ajv.compile<LLMRoute>(llmRouteSchema);

/**
 * Validates an object against the LLMRoute schema plus the cross-field rules
 * the schema cannot express. Fills schema defaults in place. Returns every
 * problem, each with its field path, rather than stopping at the first.
 */
export function validateLLMRoute(value: unknown): ValidationResult {
  if (!checkSchema(value)) {
    return { ok: false, problems: (checkSchema.errors ?? []).map(toProblem) };
  }
  const problems = crossFieldProblems(value);
  return problems.length ? { ok: false, problems } : { ok: true, route: value };
}

/** Rules that span fields; the CRD expresses the same ones in CEL. */
function crossFieldProblems(route: LLMRoute): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  route.spec.backends.forEach((b, i) => {
    if ((b.endpoint === undefined) === (b.serviceRef === undefined)) {
      problems.push({ path: `spec.backends[${i}]`, message: `backend ${b.name}: set exactly one of endpoint or serviceRef` });
    }
    if (b.auth && [b.auth.env, b.auth.file, b.auth.secretRef].filter((x) => x !== undefined).length !== 1) {
      problems.push({ path: `spec.backends[${i}].auth`, message: 'auth must set exactly one of env, file or secretRef' });
    }
    const first = seen.get(b.name);
    if (first === undefined) seen.set(b.name, i);
    else
      problems.push({
        path: `spec.backends[${i}].name`,
        message: `backend names must be unique within a route: "${b.name}" is also spec.backends[${first}].name`,
      });
  });
  const routing = route.spec.routing;
  const strategy = routing?.strategy ?? 'priority';
  for (const block of STRATEGY_BLOCKS) {
    const present = routing?.[block] !== undefined;
    const required = block === 'threshold' || block === 'classifier' || block === 'semantic' || block === 'predictive';
    if ((present && strategy !== block) || (required && !present && strategy === block)) {
      problems.push({
        path: 'spec.routing',
        message: `routing.${strategy}: the routing.${block} block goes with strategy ${block}, and only with it`,
      });
    }
  }
  const t = routing?.threshold;
  if (t) {
    if ((t.threshold === undefined) === (t.targetStrongFraction === undefined)) {
      problems.push({
        path: 'spec.routing.threshold',
        message: 'routing.threshold: set exactly one of threshold or targetStrongFraction',
      });
    }
    const names = new Set(route.spec.backends.map((b) => b.name));
    if (!names.has(t.strong) || !names.has(t.weak)) {
      problems.push({
        path: 'spec.routing.threshold',
        message: 'routing.threshold.strong and routing.threshold.weak must name backends of this route',
        reason: 'BackendNotFound',
      });
    }
  }
  if (routing?.bandit?.contexts && !routing.bandit.contextual) {
    problems.push({ path: 'spec.routing.bandit', message: 'routing.bandit.contexts needs contextual: true' });
  }
  const team = routing?.collaboration;
  if (team?.difficulty && (team.difficulty.easyBelow ?? 0.35) > (team.difficulty.hardAbove ?? 0.65)) {
    problems.push({
      path: 'spec.routing.collaboration.difficulty',
      message: 'routing.collaboration.difficulty: easyBelow must not be above hardAbove',
    });
  }
  if (team?.minSuccessful !== undefined && team.minSuccessful > (team.agents ?? 3)) {
    problems.push({
      path: 'spec.routing.collaboration.minSuccessful',
      message: 'routing.collaboration.minSuccessful cannot be more than the agents',
    });
  }
  const sampling = route.spec.sampling;
  if (sampling && (sampling.file === undefined) === (sampling.redis === undefined)) {
    problems.push({ path: 'spec.sampling', message: 'sampling must set exactly one of file or redis' });
  }
  const redisAuth = sampling?.redis?.auth;
  if (redisAuth && [redisAuth.env, redisAuth.file, redisAuth.secretRef].filter((x) => x !== undefined).length !== 1) {
    problems.push({ path: 'spec.sampling.redis.auth', message: 'auth must set exactly one of env, file or secretRef' });
  }
  const c = routing?.classifier;
  if (c && [c.router, c.onnx, c.triton].filter((x) => x !== undefined).length !== 1) {
    problems.push({ path: 'spec.routing.classifier', message: 'routing.classifier: set exactly one of router, onnx or triton' });
  }
  return problems;
}

/** Strategies configured by a block of the same name under spec.routing. */
const STRATEGY_BLOCKS = ['threshold', 'classifier', 'semantic', 'predictive', 'bandit', 'cascade', 'collaboration'] as const;

/** An ajv error as a Problem with a readable message and a dotted field path. */
export function toProblem(e: ErrorObject): Problem {
  const base = jsonPointerToPath(e.instancePath);
  const join = (field: string) => (base ? `${base}.${field}` : field);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: join(String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: join(String(p.additionalProperty)), message: 'is not a known field' };
    case 'enum':
      return { path: base, message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path: base, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path: base, message: `has an invalid format (must match ${String(p.pattern)})` };
    case 'minProperties':
    case 'maxProperties':
      return { path: base, message: 'must set exactly one of its fields' };
    default:
      return { path: base, message: e.message ?? e.keyword };
  }
}

/** `/spec/backends/0/name` -> `spec.backends[0].name` */
export function jsonPointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}
