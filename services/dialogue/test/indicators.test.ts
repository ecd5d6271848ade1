import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createDialogue, type Fixture, fixture } from './helpers.ts';

const S = { suppressed: true };
// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON bodies
type Json = any;
const consent = { consent: true, consentTextVersion: 'v1' };

/**
 * One public meeting with hand-computed answers. Demo baseline (2026): women 79 500, men 80 000,
 * non-binary 500 of 160 000, so p = 0.496875, 0.5, 0.003125 (and 0 for "unknown"). k = 5.
 *
 * Sign-in sheet: 12 women, 8 men, 5 who gave no gender → 25 people.
 *   r = 0.48, 0.32, 0, 0.2
 *   representation ratio: women 0.48 / 0.496875 = 0.966037…, men 0.32 / 0.5 = 0.64
 *   Rose = 1 − ½(0.016875 + 0.18 + 0.003125 + 0.2) = 0.8
 *   reach disparity = 0.64 / 0.966037… = 0.6625 (flagged)
 *   suppression: non-binary 0 is a small cell; the smallest visible cell (unknown, 5) hides with it.
 * Contributions: 10 by women, 6 by men, 5 without a gender → 21.
 *   heard ratio: women (10/21) / 0.496875 = 0.958264…, men (6/21) / 0.5 = 0.571428…
 *   heard disparity = 0.571428… / 0.958264… = 0.59625 (flagged)
 * Outcomes: of the women's 10, 5 taken and 1 partly → 0.6 (Wilson 95 %: 0.3127–0.8318);
 *   of the men's 6, 3 taken → 0.5; influence disparity 0.5 / 0.6 = 0.8333… (not flagged).
 */
describe('dialogue indicators on a dialogue with known answers', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let dialogueId: string;
  beforeAll(async () => {
    f = await fixture(ctx);
    dialogueId = await createDialogue(f, {
      method: 'public_meeting',
      venueTotal: 30,
      targetGroups: { gender: { woman: 0.5, man: 0.5 } },
    });
    await act(f, dialogueId, 'open');
    const sheet = await f.app.inject({
      method: 'PUT',
      url: `/v1/dialogues/${dialogueId}/participation/counts`,
      headers: f.facilitator.headers,
      payload: {
        rows: [
          { groups: { gender: 'woman' }, count: 12 },
          { groups: { gender: 'man' }, count: 8 },
          { groups: {}, count: 5 },
        ],
      },
    });
    expect(sheet.statusCode).toBe(200);
    const record = async (gender: string | null, i: number) => {
      const res = await f.app.inject({
        method: 'POST',
        url: `/v1/dialogues/${dialogueId}/contributions`,
        headers: f.facilitator.headers,
        payload: {
          kind: 'idea',
          body: `${gender ?? 'someone'} ${i}`,
          speakingSeconds: 60,
          ...(gender ? { demographics: { ...consent, groups: { gender } } } : {}),
        },
      });
      return res.json().id as string;
    };
    const women = [];
    for (let i = 0; i < 10; i++) women.push(await record('woman', i));
    const men = [];
    for (let i = 0; i < 6; i++) men.push(await record('man', i));
    for (let i = 0; i < 5; i++) await record(null, i);
    const links = [
      ...women.slice(0, 5).map((id) => ({ contributionId: id, response: 'taken' })),
      { contributionId: women[5], response: 'partly', reason: 'Only on weekdays' },
      { contributionId: women[6], response: 'not_taken', reason: 'Not the municipality’s to decide' },
      ...men.slice(0, 3).map((id) => ({ contributionId: id, response: 'taken' })),
      { contributionId: men[3], response: 'not_taken', reason: 'Too costly this year' },
    ];
    const outcome = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${dialogueId}/outcomes`,
      headers: f.facilitator.headers,
      payload: { kind: 'decision', titles: { sv: 'Beslut' }, links },
    });
    expect(outcome.statusCode).toBe(201);
  });
  afterAll(() => f.close());

  const gender = (body: Json): Json => body.dimensions.find((d: Json) => d.dimension === 'gender');
  const group = (list: Json[], g: string): Json => list.find((x) => x.group === g);

  it('computes reach against the baseline and the target shares', async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}/indicators`,
      headers: f.manager.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ smallCellK: 5, participants: 25, contributions: 21 });
    const g = gender(body);
    expect(g.populationYear).toBe(2026);
    expect(g.reach.total).toBe(25);
    expect(g.reach.roseIndex).toBeCloseTo(0.8, 12);
    const woman = group(g.reach.groups, 'woman');
    expect(woman.participants).toBe(12);
    expect(woman.share).toBeCloseTo(0.48, 12);
    expect(woman.populationShare).toBeCloseTo(0.496875, 12);
    expect(woman.representationRatio).toBeCloseTo(0.48 / 0.496875, 12);
    expect(woman.targetShare).toBe(0.5);
    expect(woman.targetRatio).toBeCloseTo(0.96, 12);
    const man = group(g.reach.groups, 'man');
    expect(man).toMatchObject({ participants: 8, targetShare: 0.5 });
    expect(man.representationRatio).toBeCloseTo(0.64, 12);
    expect(man.targetRatio).toBeCloseTo(0.64, 12);
    expect(group(g.reach.groups, 'non_binary')).toMatchObject({
      participants: S,
      share: null,
      representationRatio: null,
    });
    expect(group(g.reach.groups, 'unknown')).toMatchObject({
      participants: S,
      share: null,
      populationShare: 0,
    });
    expect(g.reach.disparity).toMatchObject({ lowestGroup: 'man', highestGroup: 'woman', flagged: true });
    expect(g.reach.disparity.ratio).toBeCloseTo(0.6625, 12);
  });

  it('computes heard and influence per group', async () => {
    const body = (
      await f.app.inject({
        method: 'GET',
        url: `/v1/dialogues/${dialogueId}/indicators`,
        headers: f.manager.headers,
      })
    ).json();
    const g = gender(body);
    expect(g.heard.total).toBe(21);
    const woman = group(g.heard.groups, 'woman');
    expect(woman).toMatchObject({ contributions: 10, speakingSeconds: 600 });
    expect(woman.share).toBeCloseTo(10 / 21, 12);
    expect(woman.heardRatio).toBeCloseTo(10 / 21 / 0.496875, 12);
    expect(group(g.heard.groups, 'man').heardRatio).toBeCloseTo(6 / 21 / 0.5, 12);
    expect(group(g.heard.groups, 'unknown')).toMatchObject({ contributions: S, share: null });
    expect(g.heard.disparity.ratio).toBeCloseTo(0.59625, 12);
    expect(g.heard.disparity.flagged).toBe(true);

    const wi = group(g.influence.groups, 'woman');
    expect(wi).toMatchObject({ contributions: 10, takenIntoAccount: 6, rate: 0.6 });
    expect(wi.ci.lower).toBeCloseTo(0.3127, 4);
    expect(wi.ci.upper).toBeCloseTo(0.8318, 4);
    expect(group(g.influence.groups, 'man')).toMatchObject({
      contributions: 6,
      takenIntoAccount: 3,
      rate: 0.5,
    });
    expect(group(g.influence.groups, 'unknown')).toMatchObject({ contributions: S, rate: null });
    expect(g.influence.disparity.ratio).toBeCloseTo(0.5 / 0.6, 12);
    expect(g.influence.disparity.flagged).toBe(false);

    expect(body.womenAndMen.reached).toMatchObject({ equal: false });
    expect(body.womenAndMen.reached.ratio).toBeCloseTo(0.6625, 12);
    expect(body.womenAndMen.heard.ratio).toBeCloseTo(0.59625, 12);
    expect(body.womenAndMen.influence).toMatchObject({ woman: 0.6, man: 0.5, equal: true });
  });

  it('hides in public what could reveal a small cell', async () => {
    await act(f, dialogueId, 'close');
    await act(f, dialogueId, 'report');
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/outcomes`,
    });
    const g = gender(res.json().indicators);
    // A cell of the dimension is hidden, so the Rose index (which sums over every group) is too.
    expect(g.reach.roseIndex).toBeNull();
    expect(group(g.reach.groups, 'woman')).toMatchObject({ participants: 12 });
    expect(group(g.reach.groups, 'non_binary').participants).toEqual(S);
    // An age dimension nobody answered: five zeros, and "unknown" (25) hides with them, or the
    // published total would show that every known age group is empty.
    const age = res
      .json()
      .indicators.dimensions.find((d: { dimension: string }) => d.dimension === 'age_band');
    expect(age.reach.total).toBe(25);
    expect(age.reach.groups.map((x: { participants: unknown }) => x.participants)).toEqual([
      S,
      S,
      S,
      S,
      S,
      S,
    ]);
  });

  it('counts dialogues completed per period by method', async () => {
    const other = await createDialogue(f, { method: 'focus_group' });
    await act(f, other, 'open');
    await act(f, other, 'close');
    await createDialogue(f, { method: 'workshop' }); // still planned: not completed
    const today = new Date();
    const day = (offset: number) =>
      new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogue-indicators?from=${day(-2)}&to=${day(2)}&period=month`,
      headers: f.manager.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.completedTotal).toBe(2);
    expect(
      body.completed.map((c: { method: string; dialogues: number }) => [c.method, c.dialogues]).sort(),
    ).toEqual([
      ['focus_group', 1],
      ['public_meeting', 1],
    ]);
    expect(body.completed[0].period).toMatch(/^\d{4}-\d{2}-01$/);
    expect(body.pooled.participants).toBe(25);
    const bad = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogue-indicators?from=${day(2)}&to=${day(-2)}`,
      headers: f.manager.headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('to');
  });
});
