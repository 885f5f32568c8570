import type { LLMRouteStatus, Problem } from '@switchboard/api';
import { describe, expect, it } from 'vitest';
import { desiredStatus, sameStatus, type RouteOutcome } from './status.js';

const NOW = new Date('2026-03-01T12:00:00.123Z');
const EARLIER = '2026-02-01T08:00:00Z';

const ok: RouteOutcome = { generation: 3, problems: [], programmed: true, backends: [{ name: 'a', health: 'healthy' }] };
const problem = (reason: string | undefined, message = 'm', path = 'spec.backends[0]'): Problem => ({
  path,
  message,
  ...(reason ? { reason } : {}),
});

/** [type, status, reason] of each condition, in order. */
const summary = (s: LLMRouteStatus) => s.conditions?.map((c) => [c.type, c.status, c.reason]);

describe('desiredStatus', () => {
  const cases: { name: string; outcome: RouteOutcome; conditions: [string, string, string][]; message?: [string, string] }[] = [
    {
      name: 'a served route: everything True',
      outcome: ok,
      conditions: [
        ['Accepted', 'True', 'Accepted'],
        ['ResolvedRefs', 'True', 'ResolvedRefs'],
        ['Programmed', 'True', 'Programmed'],
      ],
    },
    {
      name: 'a schema problem without a reason: Accepted=False Invalid',
      outcome: {
        ...ok,
        programmed: false,
        problems: [problem(undefined, 'must be one of openai, ...', 'spec.backends[0].provider')],
      },
      conditions: [
        ['Accepted', 'False', 'Invalid'],
        ['ResolvedRefs', 'True', 'ResolvedRefs'],
        ['Programmed', 'False', 'Invalid'],
      ],
      message: ['Accepted', 'spec.backends[0].provider: must be one of openai, ...'],
    },
    {
      name: 'a model name held by an older route: Accepted=False ModelNameConflict',
      outcome: { ...ok, programmed: false, problems: [problem('ModelNameConflict', 'already served by route default/a', '')] },
      conditions: [
        ['Accepted', 'False', 'ModelNameConflict'],
        ['ResolvedRefs', 'True', 'ResolvedRefs'],
        ['Programmed', 'False', 'Invalid'],
      ],
      message: ['Accepted', 'already served by route default/a'],
    },
    {
      name: 'auth.env the operator did not allow: Accepted=False CredentialSourceNotAllowed',
      outcome: { ...ok, programmed: false, problems: [problem('CredentialSourceNotAllowed')] },
      conditions: [
        ['Accepted', 'False', 'CredentialSourceNotAllowed'],
        ['ResolvedRefs', 'True', 'ResolvedRefs'],
        ['Programmed', 'False', 'Invalid'],
      ],
    },
    ...['SecretNotFound', 'SecretNotLabelled', 'SecretKeyMissing', 'BackendNotFound'].map((reason) => ({
      name: `${reason}: ResolvedRefs=False ${reason}, Accepted stays True`,
      outcome: { ...ok, programmed: false, problems: [problem(reason, 'Secret default/k ...')] },
      conditions: [
        ['Accepted', 'True', 'Accepted'],
        ['ResolvedRefs', 'False', reason],
        ['Programmed', 'False', 'Invalid'],
      ] as [string, string, string][],
      message: ['ResolvedRefs', 'spec.backends[0]: Secret default/k ...'] as [string, string],
    })),
    {
      name: 'problems of both kinds: each condition takes its own, messages joined',
      outcome: {
        ...ok,
        programmed: false,
        problems: [problem(undefined, 'bad', 'spec.a'), problem('SecretNotFound', 'one'), problem('SecretKeyMissing', 'two')],
      },
      conditions: [
        ['Accepted', 'False', 'Invalid'],
        ['ResolvedRefs', 'False', 'SecretNotFound'],
        ['Programmed', 'False', 'Invalid'],
      ],
      message: ['ResolvedRefs', 'spec.backends[0]: one; spec.backends[0]: two'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = desiredStatus(c.outcome, undefined, NOW);
      expect(summary(s)).toEqual(c.conditions);
      if (c.message) expect(s.conditions?.find((x) => x.type === c.message?.[0])?.message).toBe(c.message[1]);
    });
  }

  it('stamps observedGeneration on the status and on each condition, and times to the second', () => {
    const s = desiredStatus(ok, undefined, NOW);
    expect(s.observedGeneration).toBe(3);
    expect(s.conditions?.map((c) => [c.observedGeneration, c.lastTransitionTime])).toEqual([
      [3, '2026-03-01T12:00:00Z'],
      [3, '2026-03-01T12:00:00Z'],
      [3, '2026-03-01T12:00:00Z'],
    ]);
  });

  it('leaves observedGeneration out when the generation is unknown', () => {
    const s = desiredStatus({ ...ok, generation: undefined }, undefined, NOW);
    expect(s).not.toHaveProperty('observedGeneration');
    expect(s.conditions?.every((c) => !('observedGeneration' in c))).toBe(true);
  });

  it('keeps lastTransitionTime of a condition whose status did not flip, and moves it for one that did', () => {
    const previous = desiredStatus(ok, undefined, new Date(EARLIER));
    const broken = desiredStatus(
      { ...ok, generation: 4, programmed: false, problems: [problem('SecretNotFound')] },
      previous,
      NOW,
    );
    expect(broken.conditions?.map((c) => [c.type, c.lastTransitionTime])).toEqual([
      ['Accepted', EARLIER],
      ['ResolvedRefs', '2026-03-01T12:00:00Z'],
      ['Programmed', '2026-03-01T12:00:00Z'],
    ]);
  });

  it('lists backends only when the outcome has them', () => {
    expect(desiredStatus(ok, undefined, NOW).backends).toEqual([{ name: 'a', health: 'healthy' }]);
    expect(desiredStatus({ ...ok, backends: undefined }, undefined, NOW)).not.toHaveProperty('backends');
  });
});

describe('sameStatus', () => {
  const stored = desiredStatus(ok, undefined, new Date(EARLIER));

  it('an unchanged outcome recomputed later is the same status (no write)', () => {
    expect(sameStatus(stored, desiredStatus(ok, stored, NOW))).toBe(true);
  });

  it('ignores condition order, as the API may return them in any', () => {
    expect(sameStatus({ ...stored, conditions: [...(stored.conditions ?? [])].reverse() }, stored)).toBe(true);
  });

  it.each<[string, LLMRouteStatus]>([
    ['a new generation', desiredStatus({ ...ok, generation: 4 }, stored, NOW)],
    ['another backend health', desiredStatus({ ...ok, backends: [{ name: 'a', health: 'ejected' }] }, stored, NOW)],
    ['another message', desiredStatus({ ...ok, programmed: false, problems: [problem('SecretNotFound')] }, stored, NOW)],
  ])('differs on %s', (_, other) => {
    expect(sameStatus(stored, other)).toBe(false);
  });

  it('differs from no status at all', () => {
    expect(sameStatus(undefined, stored)).toBe(false);
  });
});
