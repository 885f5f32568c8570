import { NativeTextPattern } from '@switchboard/native';
import type { RulePlan } from '../../plan/types.js';
import type { CompiledBackend } from '../../table/backend.js';
import type { ExplainSink, RankRequest, Strategy } from '../../table/strategy.js';

export interface CompiledRule {
  name: string;
  backend: CompiledBackend;
  test(request: RankRequest): boolean;
}

/**
 * Builds a rule's test once; throws on an invalid regular expression. The
 * patterns run in the regex crate (NativeTextPattern), not in JavaScript's
 * backtracking engine: a route author's `(a+)+$` and a prompt of forty `a`s
 * would otherwise hold the event loop every route shares.
 */
export function compileRule(rule: RulePlan, backend: CompiledBackend): CompiledRule {
  const checks: ((r: RankRequest) => boolean)[] = [];
  if (rule.promptMatches !== undefined) {
    const re = new NativeTextPattern(rule.promptMatches, 'i');
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
    const re = h.matches !== undefined ? new NativeTextPattern(h.matches, '') : undefined;
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
/** Every rule and whether it matches (all are tested when explaining, so that each match shows). */
function explainRules(ex: ExplainSink, rules: readonly CompiledRule[], request: RankRequest): void {
  ex.note(
    'rules',
    rules.map((r) => ({ name: r.name, backend: r.backend.name, matched: r.test(request) })),
  );
}

export function withRules(rules: readonly CompiledRule[], backends: readonly CompiledBackend[], inner: Strategy): Strategy {
  const byPriority = [...backends].sort((a, b) => a.priority - b.priority);
  const rankings = new Map(rules.map((r) => [r, [r.backend, ...byPriority.filter((b) => b !== r.backend)]]));
  return {
    ...inner,
    name: inner.name,
    rank(random, request) {
      if (request.explain) explainRules(request.explain, rules, request);
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
