import type { PlanScope } from '../../plan/compile.js';
import {
  durationOr,
  planBackend,
  DEFAULT_SIDE_TIMEOUT_MS,
  type OnnxClassifierConfig,
  type Routing,
  type TritonClassifierConfig,
} from '../build-context.js';

export type ClassSourcePlan =
  { kind: 'router'; router: string } | ({ kind: 'onnx' } & OnnxClassifierConfig) | ({ kind: 'triton' } & TritonClassifierConfig);

export interface ClassifierSettings {
  [key: string]: unknown;
  source: ClassSourcePlan;
  /** Class -> backend name. */
  classes: Record<string, string>;
  default: string;
  minConfidence: number;
}

/** spec.routing.classifier -> settings: exactly one source, every backend name checked. */
export function planClassifier(routing: Routing | undefined, scope: PlanScope): ClassifierSettings | undefined {
  const cfg = routing?.classifier;
  const at = 'spec.routing.classifier';
  if (!cfg) {
    scope.problems.push({ path: at, message: 'strategy classifier needs the routing.classifier block' });
    return undefined;
  }
  const fallback = planBackend(scope, cfg.default, `${at}.default`);
  const classes: Record<string, string> = {};
  for (const [label, name] of Object.entries(cfg.classes)) {
    const b = planBackend(scope, name, `${at}.classes.${label}`);
    if (b) classes[label] = b;
  }
  let source: ClassSourcePlan | undefined;
  if (cfg.router !== undefined) source = { kind: 'router', router: cfg.router };
  else if (cfg.onnx) {
    const o = cfg.onnx;
    source = { kind: 'onnx', model: o.model, tokenizer: o.tokenizer, labels: o.labels, maxTokens: o.maxTokens ?? 512 };
  } else if (cfg.triton) {
    const t = cfg.triton;
    source = {
      kind: 'triton',
      endpoint: t.endpoint,
      model: t.model,
      input: t.input,
      output: t.output,
      labels: t.labels,
      timeoutMs: durationOr(scope, `${at}.triton.timeout`, t.timeout, DEFAULT_SIDE_TIMEOUT_MS),
    };
  } else scope.problems.push({ path: at, message: 'routing.classifier: set exactly one of router, onnx or triton' });
  if (!source || !fallback) return undefined;
  return { source, classes, default: fallback, minConfidence: cfg.minConfidence ?? 0 };
}
