import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, inProcess } from '../../../gateway/src/fixtures/in-process.fixture.js';
import { collaborationEval, runCollaborationEval, type CollaborationEvalReport } from './collaboration-eval.js';
import { collaborationTrain, runCollaborationTrain, type CollaborationPolicyFile } from './collaboration-train.js';

// switchboard train / eval --router collaboration on the shipped replay
// (test/fixtures/collaboration/runs.jsonl: every figure in it is simulated),
// bad replays, and a trained policy loaded by a collaboration route in process.

const RUNS = fileURLToPath(new URL('../../../../test/fixtures/collaboration/runs.jsonl', import.meta.url));
const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-collab-offline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  prompt: string;
  plan: string;
  quality: number;
  cost: number;
  task: string;
  difficulty: string;
}
const rows = readFileSync(RUNS, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);

const quiet = () => undefined;
let n = 0;
const train = (costWeight: number, minRows: number) =>
  runCollaborationTrain({ data: [RUNS], out: join(dir, `policy-${++n}.json`), costWeight, minRows }, quiet);

/** The fixture's mean cost of a plan over a context's prompts. */
const meanCost = (context: string, plan: string) => {
  const mine = rows.filter((r) => `${r.task}/${r.difficulty}` === context && r.plan === plan);
  return mine.reduce((s, r) => s + r.cost, 0) / mine.length;
};

describe('switchboard train --router collaboration', () => {
  it('writes a policy with a plan per task/difficulty context, the argmax of mean quality', async () => {
    const out = join(dir, 'policy.json');
    await collaborationTrain(['--router', 'collaboration', '--data', RUNS, '--out', out], quiet);
    const policy = JSON.parse(readFileSync(out, 'utf8')) as CollaborationPolicyFile;
    expect(policy.kind).toBe('collaboration-policy');
    const contexts = [...new Set(rows.map((r) => `${r.task}/${r.difficulty}`))].sort();
    expect(Object.keys(policy.choices).sort()).toEqual(contexts);
    expect(policy.trainedOn).toMatchObject({ rows: rows.length, prompts: 60, plans: 8 });
    // Each choice is the plan with the best mean quality on the context's prompts (cost weight 0).
    for (const context of contexts) {
      const mine = rows.filter((r) => `${r.task}/${r.difficulty}` === context);
      const byPlan = new Map<string, number[]>();
      for (const r of mine) byPlan.set(r.plan, [...(byPlan.get(r.plan) ?? []), r.quality]);
      const means = [...byPlan].map(([plan, qs]) => [plan, qs.reduce((a, b) => a + b, 0) / qs.length] as const);
      const best = Math.max(...means.map(([, q]) => q));
      expect(policy.contexts[context]?.fallback).toBe(false);
      expect(means.find(([plan]) => plan === policy.choices[context])?.[1]).toBeCloseTo(best, 9);
    }
  });

  it('computes a context as the gateway does where a row gives no task or difficulty', async () => {
    const bare = join(dir, 'bare.jsonl');
    writeFileSync(bare, rows.map(({ task: _t, difficulty: _d, ...r }) => JSON.stringify(r)).join('\n'));
    const notes: string[] = [];
    const computed = await runCollaborationTrain({ data: [bare], out: join(dir, 'bare.json'), costWeight: 0, minRows: 5 }, (l) =>
      notes.push(l),
    );
    expect(notes).toContain('note: 60 prompts without a task or difficulty: computed as the gateway does by default');
    // The fixture's task and difficulty are what the gateway computed: the same contexts, the same choices.
    const given = await train(0, 5);
    expect(computed.trainedOn.contexts).toEqual(given.trainedOn.contexts);
    expect(computed.choices).toEqual(given.choices);
  });

  it('gives contexts with fewer than --min-rows prompts the best plan overall', async () => {
    const policy = await train(0, 7);
    const thin = Object.entries(policy.contexts).filter(([, c]) => c.prompts < 7);
    const thick = Object.entries(policy.contexts).filter(([, c]) => c.prompts >= 7);
    expect(thin.length).toBeGreaterThan(0);
    expect(thick.length).toBeGreaterThan(0);
    for (const [context, c] of thin) {
      expect(c.fallback).toBe(true);
      expect(policy.choices[context]).toBe(policy.fallback);
    }
    for (const [, c] of thick) expect(c.fallback).toBe(false);
    // The fallback is the plan with the best mean over every prompt.
    const best = Object.entries(policy.plans).reduce((a, b) => (b[1].reward > a[1].reward ? b : a));
    expect(policy.fallback).toBe(best[0]);
    // Some thin context would have chosen otherwise on its own prompts.
    const own = await train(0, 0);
    expect(thin.some(([context]) => own.choices[context] !== policy.fallback)).toBe(true);
  });

  it('a cost weight moves the choices toward cheaper plans', async () => {
    const free = await train(0, 5);
    const priced = await train(50, 5);
    const contexts = Object.keys(free.choices);
    const changed = contexts.filter((c) => free.choices[c] !== priced.choices[c]);
    expect(changed.length).toBeGreaterThan(0);
    for (const c of changed) expect(meanCost(c, priced.choices[c]!)).toBeLessThan(meanCost(c, free.choices[c]!));
    const total = (p: CollaborationPolicyFile) => contexts.reduce((s, c) => s + meanCost(c, p.choices[c]!), 0);
    expect(total(priced)).toBeLessThan(total(free) / 2);
    expect(priced.costWeight).toBe(50);
  });
});

describe('switchboard eval --router collaboration', () => {
  let report: CollaborationEvalReport;
  beforeAll(async () => {
    report = await runCollaborationEval({ data: [RUNS], costWeight: 0, folds: 5, minRows: 5, seed: 42, resamples: 400 });
  });

  it('lists every plan, each mode best, the best fixed plan, always-fusion, the prior, the controller and the oracle', () => {
    const names = report.table.map((t) => t.name);
    const plans = [...new Set(rows.map((r) => r.plan))];
    expect(report.table.filter((t) => t.kind === 'plan').map((t) => t.plan)).toEqual(expect.arrayContaining(plans));
    expect(report.table.filter((t) => t.kind === 'plan')).toHaveLength(plans.length);
    const modes = [...new Set(plans.map((p) => p.split(':')[0]))];
    expect(report.table.filter((t) => t.kind === 'mode-best')).toHaveLength(modes.length);
    for (const label of [/^best single model \(single:/, /^always-fusion \(fusion:/, /^best fixed plan \(/, /^prior /]) {
      expect(names.some((name) => label.test(name))).toBe(true);
    }
    for (const kind of ['best-plan', 'prior', 'controller', 'oracle'] as const) {
      expect(report.table.filter((t) => t.kind === kind)).toHaveLength(1);
    }
    for (const t of report.table) {
      for (const i of [t.quality, t.cost, t.reward]) {
        expect(i.lo).toBeLessThanOrEqual(i.mean);
        expect(i.mean).toBeLessThanOrEqual(i.hi);
      }
      // Sixty prompts with noisy qualities: every interval has width.
      expect(t.quality.hi).toBeGreaterThan(t.quality.lo);
    }
  });

  it('the trained controller is not worse than the prior; the oracle is at least every row', () => {
    const by = (kind: string) => report.table.find((t) => t.kind === kind)!;
    expect(by('controller').reward.mean).toBeGreaterThanOrEqual(by('prior').reward.mean);
    const oracle = by('oracle').reward.mean;
    for (const t of report.table) expect(oracle).toBeGreaterThanOrEqual(t.reward.mean - 1e-12);
    // The paired difference against the prior, with its interval.
    const vsPrior = report.comparisons.find((c) => c.against === 'prior')!;
    expect(vsPrior.reward.mean).toBeCloseTo(by('controller').reward.mean - by('prior').reward.mean, 9);
    expect(Object.values(report.controllerPlans).reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('prints the table as text, and as JSON with --json', async () => {
    const text = await collaborationEval(['--router', 'collaboration', '--data', RUNS, '--folds', '3']);
    for (const label of [
      'single:1:cheap',
      'best single model',
      'always-fusion',
      'best fixed plan',
      'prior',
      'controller',
      'oracle',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/controller \(trained, 3-fold cv\) +\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
    const json = JSON.parse(
      await collaborationEval(['--router', 'collaboration', '--data', RUNS, '--json']),
    ) as CollaborationEvalReport;
    expect(json.folds).toBe(5);
    expect(json.table.length).toBe(report.table.length);
  });
});

describe('--help', () => {
  it.each([
    ['train', ['--data', '--out', '--cost-weight', '--min-rows']],
    ['eval', ['--data', '--cost-weight', '--folds', '--min-rows', '--seed', '--json']],
  ])('switchboard %s --help documents every option of --router collaboration', (command, options) => {
    const r = spawnSync(process.execPath, [BIN, command, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const part = r.stdout.slice(r.stdout.indexOf(`switchboard ${command} --router collaboration`));
    expect(part.length).toBeLessThan(r.stdout.length);
    // Each option on a line of its own, with what it does.
    for (const option of options) expect(part).toMatch(new RegExp(`^ +${option}( [^ ]+)? {2,}\\S`, 'm'));
  });
});

describe('bad replays', () => {
  const good = JSON.stringify({ prompt: 'p', plan: 'single:1:cheap', quality: 0.5, cost: 0.001 });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cases: [string, string, RegExp][] = [
    [
      'missing-quality.jsonl',
      `${good}\n${JSON.stringify({ prompt: 'p', plan: 'cot:1:cheap', cost: 0 })}\n`,
      /:2: "quality" must be a number from 0 to 1/,
    ],
    [
      'missing-prompt.jsonl',
      `${JSON.stringify({ plan: 'cot:1:cheap', quality: 1, cost: 0 })}\n`,
      /:1: "prompt" must be a non-empty string/,
    ],
    [
      'unknown-plan.jsonl',
      `${good}\n\n${JSON.stringify({ prompt: 'p', plan: 'fusion:3:blend', quality: 1, cost: 0 })}\n`,
      /:3: "plan" "fusion:3:blend": assignment must be cheap, strong or mixed/,
    ],
    [
      'bad-mode.jsonl',
      `${JSON.stringify({ prompt: 'p', plan: 'party:3:mixed', quality: 1, cost: 0 })}\n`,
      /:1: "plan" "party:3:mixed": mode must be one of/,
    ],
    ['nan-quality.jsonl', `${good}\n{"prompt":"p","plan":"cot:1:cheap","quality":NaN,"cost":0}\n`, /:2: not JSON/],
    [
      'string-quality.jsonl',
      `${JSON.stringify({ prompt: 'p', plan: 'cot:1:cheap', quality: 'NaN', cost: 0 })}\n`,
      /:1: "quality" must be a number/,
    ],
    ['empty.jsonl', '', /no rows in .*empty\.jsonl/],
  ];
  it.each(cases)('%s: an error that names the file and the line', async (name, text, message) => {
    const path = file(name, text);
    const error = await runCollaborationTrain(
      { data: [path], out: join(dir, 'never.json'), costWeight: 0, minRows: 5 },
      quiet,
    ).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toContain(path);
    expect(error?.message).toMatch(message);
  });

  it('the CLI reports it in one line and exits 2, for train and eval alike, without a stack', () => {
    const path = file(
      'unknown-plan-cli.jsonl',
      `${JSON.stringify({ prompt: 'p', plan: 'debate:1:mixed', quality: 1, cost: 0 })}\n`,
    );
    for (const args of [
      ['train', '--router', 'collaboration', '--data', path, '--out', join(dir, 'x.json')],
      ['eval', '--router', 'collaboration', '--data', path],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(
        `switchboard ${args[0]}: ${path}:1: "plan" "debate:1:mixed": a debate plan has 2 agent(s), not 1`,
      );
    }
  });
});

describe('a trained policy in a collaboration route', () => {
  const BACKENDS = [
    backend('small', { cost: { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 } }),
    backend('medium', { cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 4 } }),
    backend('large', { cost: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } }),
  ];
  const route = (collaboration: Record<string, unknown>) =>
    inProcess({ team: { backends: BACKENDS, routing: { strategy: 'collaboration', collaboration } } });
  const ask = (content: string) => ({ model: 'team', messages: [{ role: 'user', content }] });

  it("decides by the policy: each context's prompt runs the plan the policy file chose for it", async () => {
    const out = join(dir, 'round-trip.json');
    // A cost weight that makes the choices differ from the prior's in some contexts.
    const policy = await runCollaborationTrain({ data: [RUNS], out, costWeight: 20, minRows: 5 }, quiet);
    const trained = await route({ mode: 'auto', policy: out });
    const untrained = await route({ mode: 'auto' });
    // The same plans forced by a client, for what each plan's header looks like on this route and prompt.
    const forced = await route({ mode: 'auto', allowClientPlans: true });
    const summaryOf = async (key: string, prompt: string) => {
      const [mode, agents, assignment] = key.split(':');
      const res = await forced.post('/v1/chat/completions', ask(prompt), {
        'x-switchboard-collaboration': `mode=${mode},agents=${agents},assignment=${assignment}`,
      });
      return (res.headers.get('x-switchboard-collaboration') ?? '').split('; by=')[0];
    };
    let differsFromPrior = 0;
    for (const context of Object.keys(policy.choices)) {
      const prompt = rows.find((r) => `${r.task}/${r.difficulty}` === context)!.prompt;
      const res = await trained.post('/v1/chat/completions', ask(prompt), { 'x-switchboard-collaboration-trace': 'true' });
      expect(res.status).toBe(200);
      const header = res.headers.get('x-switchboard-collaboration') ?? '';
      const body = (await res.json()) as { switchboard_collaboration: { by: string; context: string } };
      // The gateway gives the prompt the context the replay (and so the policy) has for it.
      expect(body.switchboard_collaboration.context).toBe(context);
      expect(header).toMatch(/; by=policy; /);
      expect(header.split('; by=')[0]).toBe(await summaryOf(policy.choices[context]!, prompt));
      const prior = (await untrained.post('/v1/chat/completions', ask(prompt))).headers.get('x-switchboard-collaboration') ?? '';
      expect(prior).toMatch(/; by=prior; /);
      if (prior.split('; by=')[0] !== header.split('; by=')[0]) differsFromPrior++;
    }
    expect(differsFromPrior).toBeGreaterThan(0);
  });

  it('refuses a policy whose plan is not a plan key, or one the route never makes', async () => {
    const write = (name: string, choices: Record<string, string>) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify({ kind: 'collaboration-policy', choices }));
      return path;
    };
    await expect(route({ mode: 'auto', policy: write('bad-key.json', { 'code/hard': 'fusion:9:mixed' }) })).rejects.toThrow(
      /policy .*bad-key\.json: choice "code\/hard": plan "fusion:9:mixed": agents must be an integer from 1 to 6/,
    );
    await expect(route({ mode: 'auto', policy: write('bad-context.json', { code: 'single:1:cheap' }) })).rejects.toThrow(
      /choice "code": a context is task\/difficulty/,
    );
    await expect(
      route({ mode: 'auto', modes: ['single', 'cot'], policy: write('unreachable.json', { 'code/hard': 'fusion:3:mixed' }) }),
    ).rejects.toThrow(/a plan this route never makes, e\.g\. fusion:3:mixed for code\/hard/);
    // Trained on the built-in classes, loaded by a route with classes of its own.
    const tasks = { classes: [{ name: 'support', utterances: ['my order has not arrived'] }] };
    await expect(
      route({ mode: 'auto', tasks, policy: write('other-tasks.json', { 'code/hard': 'fusion:3:mixed' }) }),
    ).rejects.toThrow(/choice "code\/hard": the route has no task class "code" \(its classes: support\)/);
    // The same file on a route with the built-in classes is fine.
    expect((await route({ mode: 'auto', policy: join(dir, 'other-tasks.json') })).app).toBeDefined();
  });
});
