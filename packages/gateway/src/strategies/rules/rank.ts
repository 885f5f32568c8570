import type { RulePlan } from '../../plan/types.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { RankRequest, Strategy } from '../../table/strategy.js';

export interface CompiledRule {
  name: string;
  backend: CompiledBackend;
  test(request: RankRequest): boolean;
}

/** Builds a rule's test once; throws on an invalid regular expression. */
export function compileRule(rule: RulePlan, backend: CompiledBackend): CompiledRule {
  const checks: ((r: RankRequest) => boolean)[] = [];
  if (rule.promptMatches !== undefined) {
    const re = new RegExp(rule.promptMatches, 'i');
    checks.push((r) => re.test(r.prompt()));
  }
  if (rule.keywords?.length) {
    const words = rule.keywords.map((k) => k.toLowerCase());
    checks.push((r) => {
      const text = r.prompt().toLowerCase();
      return words.some((w) => text.includes(w));
    });
  }
  const h = rule.header;
  if (h) {
    const name = h.name.toLowerCase();
    const re = h.matches !== undefined ? new RegExp(h.matches) : undefined;
    checks.push((r) => {
      const value = r.header(name);
      if (value === undefined) return false;
      if (h.equals !== undefined && value !== h.equals) return false;
      return !re || re.test(value);
    });
  }
  const m = rule.metadata;
  if (m) checks.push((r) => r.metadata?.[m.key] === m.equals);
  const { minPromptTokens: min, maxPromptTokens: max } = rule;
  if (min !== undefined || max !== undefined) {
    checks.push((r) => {
      const n = r.promptTokens(backend);
      return (min === undefined || n >= min) && (max === undefined || n <= max);
    });
  }
  return { name: rule.name, backend, test: (r) => checks.every((c) => c(r)) };
}

/**
 * Rules before the strategy (LangChain's RunnableBranch): the first rule
 * whose conditions all hold puts its backend first and the strategy is not
 * consulted at all (cheap conditions spare the model call); otherwise the
 * strategy ranks as usual.
 */
export function withRules(rules: readonly CompiledRule[], backends: readonly CompiledBackend[], inner: Strategy): Strategy {
  const byPriority = [...backends].sort((a, b) => a.priority - b.priority);
  const rankings = new Map(rules.map((r) => [r, [r.backend, ...byPriority.filter((b) => b !== r.backend)]]));
  return {
    ...inner,
    name: inner.name,
    rank(random, request) {
      for (const rule of rules) {
        if (rule.test(request)) {
          request.decision = `rule:${rule.name}`;
          request.context = `rule:${rule.name}`;
          return rankings.get(rule) as CompiledBackend[];
        }
      }
      return inner.rank(random, request);
    },
  };
}
