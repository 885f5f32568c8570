import type { CompiledBackend } from '../../table/backend.js';
import { BUILT_IN_ROLES, type Role } from './prompts.js';

export const MODES = ['single', 'cot', 'chain', 'reflection', 'debate', 'fusion'] as const;
export type Mode = (typeof MODES)[number];

/** How a plan's agents get their backends. */
export type Assignment = 'cheap' | 'strong' | 'mixed';

export interface Agent {
  role: Role;
  backend: CompiledBackend;
}

/** One way to run a request: the mode, its agents (role and backend each), its judge and synthesizer. */
export interface Plan {
  /** `mode:agents:assignment`, the plan's name in learning statistics, policies and replays. */
  key: string;
  mode: Mode;
  agents: Agent[];
  /** Critic (reflection), aggregator (debate), judge (fusion). */
  judge: CompiledBackend;
  synthesizer: CompiledBackend;
  rounds: number;
  /** Parallel stages: answers needed to go on. */
  minSuccessful: number;
}

/** What a plan is estimated to use before it runs. */
export interface PlanEstimate {
  calls: number;
  tokens: number;
  cost: number;
}

export interface Budget {
  maxCalls: number | undefined;
  maxTokens: number | undefined;
  maxCost: number | undefined;
}

const price = (b: CompiledBackend) => b.inputPricePerToken + b.outputPricePerToken;

/** The route's backends from cheapest to dearest (stable for equal prices). */
export const byPrice = (backends: readonly CompiledBackend[]): CompiledBackend[] =>
  [...backends].sort((a, b) => price(a) - price(b));

/** Agents a mode has for a configured team size. */
export function agentCount(mode: Mode, agents: number): number {
  return mode === 'single' || mode === 'cot' || mode === 'reflection' ? 1 : Math.max(mode === 'chain' ? 1 : 2, agents);
}

/** Roles for a task class: the route's own for it, else the built-in ones, else any. */
export function rolesFor(task: string, library: readonly Role[]): Role[] {
  const fits = (r: Role) => r.tasks.length === 0 || r.tasks.includes(task);
  const own = library.filter(fits);
  if (own.length) return own;
  const builtIn = BUILT_IN_ROLES.filter(fits);
  return builtIn.length ? builtIn : BUILT_IN_ROLES.filter((r) => r.tasks.includes('general'));
}

export interface PlanShape {
  mode: Mode;
  agents: number;
  assignment: Assignment;
  rounds: number;
  minSuccessful: number | undefined;
}

/**
 * A plan of `shape` over the route's backends: agent i plays role i (round
 * robin over the task's roles) on the role's preferred backend when it has
 * one, else on the cheapest backend (cheap), the dearest (strong), or the
 * backends in turn from the cheapest (mixed).
 */
export function makePlan(
  shape: PlanShape,
  roles: readonly Role[],
  backends: readonly CompiledBackend[],
  judge: CompiledBackend,
  synthesizer: CompiledBackend,
  byName: ReadonlyMap<string, CompiledBackend>,
): Plan {
  const sorted = byPrice(backends);
  const cheapest = sorted[0];
  if (!cheapest) throw new Error('a collaboration plan needs at least one backend');
  const n = agentCount(shape.mode, shape.agents);
  const agents: Agent[] = [];
  for (let i = 0; i < n; i++) {
    const role = roles[i % roles.length] as Role;
    const preferred = shape.assignment === 'mixed' ? role.backends.map((b) => byName.get(b)).find(Boolean) : undefined;
    const byAssignment =
      shape.assignment === 'cheap' ? cheapest : shape.assignment === 'strong' ? sorted.at(-1) : sorted[i % sorted.length];
    agents.push({ role, backend: preferred ?? byAssignment ?? cheapest });
  }
  const parallel = shape.mode === 'debate' || shape.mode === 'fusion';
  const minSuccessful = parallel ? Math.min(n, shape.minSuccessful ?? Math.floor(n / 2) + 1) : n;
  return {
    key: `${shape.mode}:${n}:${shape.assignment}`,
    mode: shape.mode,
    agents,
    judge,
    synthesizer,
    rounds: shape.rounds,
    minSuccessful,
  };
}

/** Calls a plan makes when every agent answers. */
export function callsOf(plan: Plan): number {
  const n = plan.agents.length;
  switch (plan.mode) {
    case 'single':
    case 'cot':
      return 1;
    case 'chain':
      return n;
    case 'reflection':
      return 1 + 2 * plan.rounds;
    case 'debate':
      return n + n * plan.rounds + 1;
    case 'fusion':
      return n + 2;
  }
}

/**
 * Tokens and cost a plan is expected to use: each call reads the prompt plus
 * the answers it is shown, and writes `output` tokens, at its backend's
 * prices. An estimate made before anything runs (real usage replaces it).
 */
export function estimatePlan(
  plan: Plan,
  prompt: (b: CompiledBackend) => number,
  output: (b: CompiledBackend) => number,
): PlanEstimate {
  let tokens = 0;
  let cost = 0;
  let calls = 0;
  const call = (b: CompiledBackend, answersShown: number, shownEach: number) => {
    const input = prompt(b) + answersShown * shownEach;
    const out = output(b);
    tokens += input + out;
    cost += input * b.inputPricePerToken + out * b.outputPricePerToken;
    calls++;
  };
  const n = plan.agents.length;
  const shown = Math.max(...plan.agents.map((a) => output(a.backend)));
  switch (plan.mode) {
    case 'single':
    case 'cot':
      call(plan.agents[0]!.backend, 0, 0);
      break;
    case 'chain':
      plan.agents.forEach((a, i) => call(a.backend, i === 0 ? 0 : 1, shown));
      break;
    case 'reflection':
      call(plan.agents[0]!.backend, 0, 0);
      for (let r = 0; r < plan.rounds; r++) {
        call(plan.judge, 1, shown);
        call(plan.agents[0]!.backend, 2, shown);
      }
      break;
    case 'debate':
      for (const a of plan.agents) call(a.backend, 0, 0);
      for (let r = 0; r < plan.rounds; r++) for (const a of plan.agents) call(a.backend, n, shown);
      call(plan.judge, n, shown);
      break;
    case 'fusion':
      for (const a of plan.agents) call(a.backend, 0, 0);
      call(plan.judge, n, shown);
      call(plan.synthesizer, n + 1, shown);
      break;
  }
  return { calls, tokens, cost };
}

/** Whether an estimate fits the budget; the first limit it breaks, when not. */
export function overBudget(e: PlanEstimate, budget: Budget): string | undefined {
  if (budget.maxCalls !== undefined && e.calls > budget.maxCalls) return `${e.calls} calls > maxCalls ${budget.maxCalls}`;
  if (budget.maxTokens !== undefined && e.tokens > budget.maxTokens) return `~${e.tokens} tokens > maxTokens ${budget.maxTokens}`;
  if (budget.maxCost !== undefined && e.cost > budget.maxCost) return `~$${e.cost.toFixed(6)} > maxCost ${budget.maxCost}`;
  return undefined;
}

/** The x-switchboard-collaboration summary: mode, agents (role@backend), judge. */
export function summary(plan: Plan): string {
  const agents = plan.agents.map((a) => `${a.role.name}@${a.backend.name}`).join(' ');
  const parts = [`mode=${plan.mode}`, `agents=${plan.agents.length}`, `team=${agents}`];
  if (plan.mode === 'reflection' || plan.mode === 'debate' || plan.mode === 'fusion') parts.push(`judge=${plan.judge.name}`);
  if (plan.mode === 'fusion') parts.push(`synthesizer=${plan.synthesizer.name}`);
  if (plan.mode === 'reflection' || plan.mode === 'debate') parts.push(`rounds=${plan.rounds}`);
  return parts.join('; ');
}

/** A client's plan, from `x-switchboard-collaboration: mode=debate,agents=3[,rounds=2][,assignment=strong]`. */
export function parseClientPlan(header: string): Partial<PlanShape> | string {
  const shape: Partial<PlanShape> = {};
  for (const part of header.split(',')) {
    const [key, value = ''] = part.split('=').map((s) => s.trim());
    if (key === 'mode') {
      if (!(MODES as readonly string[]).includes(value)) return `mode must be one of ${MODES.join(', ')}`;
      shape.mode = value as Mode;
    } else if (key === 'agents' || key === 'rounds') {
      const n = Number(value);
      const max = key === 'agents' ? 6 : 3;
      if (!Number.isInteger(n) || n < 1 || n > max) return `${key} must be an integer from 1 to ${max}`;
      shape[key] = n;
    } else if (key === 'assignment') {
      if (value !== 'cheap' && value !== 'strong' && value !== 'mixed') return 'assignment must be cheap, strong or mixed';
      shape.assignment = value;
    } else {
      return `unknown key "${(key ?? '').slice(0, 32)}" (mode, agents, rounds, assignment)`;
    }
  }
  return shape.mode ? shape : 'mode is required';
}
