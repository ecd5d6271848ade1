import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensionsOf } from '../src/common.ts';
import { participationTally } from '../src/tallies.ts';
import { act, counts, createDialogue, type Fixture, fixture } from './helpers.ts';

const consent = { consent: true, consentTextVersion: 'dialog-2026-1' };

describe('participation: individuals and sign-in sheets, counted once', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let dialogueId: string;
  beforeAll(async () => {
    f = await fixture(ctx);
    dialogueId = await createDialogue(f, { venueTotal: 30 });
  });
  afterAll(() => f.close());

  const register = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/participants`,
      payload,
    });
  const putCounts = (rows: unknown, id = dialogueId) =>
    f.app.inject({
      method: 'PUT',
      url: `/v1/dialogues/${id}/participation/counts`,
      headers: f.facilitator.headers,
      payload: { rows },
    });
  const summary = async () =>
    (
      await f.app.inject({
        method: 'GET',
        url: `/v1/dialogues/${dialogueId}/participation`,
        headers: f.manager.headers,
      })
    ).json();

  it('registers residents ahead of the meeting, demographics only with consent, kept apart', async () => {
    const res = await register({
      name: 'Amina',
      email: 'amina@example.org',
      language: 'sv',
      demographics: { ...consent, groups: { gender: 'woman', age_band: '18-29' } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().participantToken).toEqual(expect.any(String));
    expect((await register({ name: 'Bo' })).statusCode).toBe(201);
    const before = await counts(ctx.database, f.tenantId);
    expect(before).toMatchObject({ participations: 2, demographicProfiles: 1 });
  });

  it('refuses demographics without explicit consent or with unknown groups, writing nothing', async () => {
    const before = await counts(ctx.database, f.tenantId);
    const noConsent = await register({
      name: 'C',
      demographics: { consentTextVersion: 'v1', groups: { gender: 'man' } },
    });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().errors[0].field).toBe('demographics.consent');
    const falseConsent = await register({
      demographics: { consent: false, consentTextVersion: 'v1', groups: {} },
    });
    expect(falseConsent.statusCode).toBe(400);
    const badGroup = await register({ demographics: { ...consent, groups: { gender: 'robot' } } });
    expect(badGroup.statusCode).toBe(400);
    expect(badGroup.json().errors[0].field).toBe('demographics.groups.gender');
    expect(await counts(ctx.database, f.tenantId)).toEqual(before);
  });

  it('refuses sign-in sheets before the dialogue opens', async () => {
    expect((await putCounts([{ groups: { gender: 'man' }, count: 3 }])).statusCode).toBe(409);
  });

  it('records the sheet once however often it is sent, and never double counts', async () => {
    await act(f, dialogueId, 'open');
    const sheet = [
      { groups: { gender: 'woman', age_band: '65+' }, count: 6 },
      { groups: { gender: 'woman' }, count: 4 },
      { groups: { gender: 'man' }, count: 9 },
      { groups: {}, count: 2 },
    ];
    expect((await putCounts(sheet)).statusCode).toBe(200);
    const again = await putCounts(sheet);
    expect(again.statusCode).toBe(200);
    // 2 registered + 21 on the sheet; sending the sheet twice changes nothing.
    expect(again.json()).toMatchObject({ total: 23, registered: 2, counted: 21, venueTotal: 30 });
    expect(again.json().sheet).toHaveLength(4);

    // Per dimension every person is in exactly one group, so each dimension adds up to the total.
    const dimensions = await dimensionsOf(ctx.database.db, f.tenantId);
    const tally = await participationTally(ctx.database.db, f.tenantId, [dialogueId], dimensions);
    expect(tally.total).toBe(23);
    for (const groups of Object.values(tally.byDimension))
      expect(Object.values(groups).reduce((a, b) => a + b, 0)).toBe(23);
    // 6 + 4 on the sheet + Amina; 9 men; 2 on the sheet + Bo gave no gender.
    expect(tally.byDimension.gender).toEqual({ woman: 11, man: 9, non_binary: 0, unknown: 3 });
    expect(tally.byDimension.age_band).toMatchObject({ '65+': 6, '18-29': 1, unknown: 16 });
    const indicators = (
      await f.app.inject({
        method: 'GET',
        url: `/v1/dialogues/${dialogueId}/indicators`,
        headers: f.manager.headers,
      })
    ).json();
    expect(indicators.participants).toBe(23);

    const replaced = await putCounts([{ groups: { gender: 'man' }, count: 5 }]);
    expect(replaced.json()).toMatchObject({ total: 7, counted: 5 });
    expect((await summary()).total).toBe(7);
  });

  it('refuses negative counts, counts over the venue total and repeated rows, keeping the old sheet', async () => {
    const before = await summary();
    const negative = await putCounts([{ groups: { gender: 'man' }, count: -1 }]);
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].field).toBe('rows.0.count');

    const over = await putCounts([
      { groups: { gender: 'woman' }, count: 20 },
      { groups: { gender: 'man' }, count: 11 },
    ]);
    expect(over.statusCode).toBe(400);
    expect(over.json().errors).toEqual([
      { field: 'rows', message: 'add up to 31, more than the venue total 30' },
    ]);

    const twice = await putCounts([
      { groups: { gender: 'woman' }, count: 2 },
      { groups: { gender: 'woman', district: 'unknown' }, count: 2 },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors[0].field).toBe('rows.1.groups');

    const unknownGroup = await putCounts([{ groups: { gender: 'martian' }, count: 1 }]);
    expect(unknownGroup.json().errors[0].field).toBe('rows.0.groups.gender');
    expect(await summary()).toEqual(before);
  });

  it('keeps the venue total above what is already counted', async () => {
    const res = await f.app.inject({
      method: 'PATCH',
      url: `/v1/dialogues/${dialogueId}`,
      headers: f.facilitator.headers,
      payload: { venueTotal: 3 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('venueTotal');
  });

  it('closes registration when the dialogue closes', async () => {
    await act(f, dialogueId, 'close');
    expect((await register({ name: 'Late' })).statusCode).toBe(409);
    // The sheet may still be typed in after the meeting.
    expect((await putCounts([{ groups: { gender: 'man' }, count: 6 }])).statusCode).toBe(200);
  });
});
