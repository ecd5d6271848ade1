import { DEMO_PASSWORD } from '@samtal/db';
import { signIn } from '@samtal/staff-auth';
import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from './helpers.ts';

/**
 * Through the API alone: a facilitator runs a dialogue from plan to published outcome, residents
 * take part, and a manager reads whether women and men were equally reached and heard.
 * Staff sign in with the real sign-in (password → session), not a planted session.
 */
describe('a dialogue from plan to published outcome', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let facilitator: Record<string, string>;
  let manager: Record<string, string>;
  beforeAll(async () => {
    f = await fixture(ctx);
    const as = async (who: string) => {
      const { token, principal } = await signIn(ctx.database.db, {
        tenantSlug: f.slug,
        email: `${who}@${f.slug}.demo`,
        password: DEMO_PASSWORD,
      });
      return { cookie: `samtal_session=${token}`, 'x-csrf-token': principal.csrfToken };
    };
    facilitator = await as('facilitator');
    manager = await as('manager');
  });
  afterAll(() => f.close());

  it('plans, reaches, hears, responds and reports', async () => {
    const staff = (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH',
      url: string,
      payload?: object,
      headers = facilitator,
    ) => f.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const resident = (url: string, payload: object) =>
      f.app.inject({ method: 'POST', url: `/v1/public/${f.slug}${url}`, payload });

    // Plan.
    const planned = await staff('POST', '/v1/dialogues', {
      title: 'Parken vid Hacksta skola',
      question: 'Hur vill du använda parken?',
      purpose: 'Underlag till upprustningen 2027.',
      method: 'public_meeting',
      languages: ['sv', 'en'],
      targetGroups: { gender: { woman: 0.5, man: 0.5 } },
      sessions: [{ place: 'Hacksta skola, aulan', startsAt: '2026-10-01T18:00:00+02:00', capacity: 60 }],
      partners: ['Hacksta föräldraförening'],
      venueTotal: 40,
      translations: {
        en: { title: 'The park by Hacksta school', question: 'How would you like to use the park?' },
      },
    });
    expect(planned.statusCode).toBe(201);
    const id = planned.json().id;
    const question = await staff('POST', `/v1/dialogues/${id}/survey/questions`, {
      kind: 'scale',
      prompts: {
        sv: 'Hur ofta är du i parken? (1 = aldrig, 5 = varje dag)',
        en: 'How often are you in the park?',
      },
    });
    expect(question.statusCode).toBe(201);
    expect((await staff('POST', `/v1/dialogues/${id}/transitions`, { action: 'open' })).json().status).toBe(
      'open',
    );

    // Reach: 6 women and 6 men register online; the sign-in sheet adds 9 women, 9 men, 5 unknown.
    const tokens: Record<string, string[]> = { woman: [], man: [] };
    for (const gender of ['woman', 'man'])
      for (let i = 0; i < 6; i++) {
        const res = await resident(`/dialogues/${id}/participants`, {
          language: 'sv',
          demographics: { consent: true, consentTextVersion: 'v1', groups: { gender } },
        });
        expect(res.statusCode).toBe(201);
        tokens[gender]!.push(res.json().participantToken);
      }
    const sheet = await staff('PUT', `/v1/dialogues/${id}/participation/counts`, {
      rows: [
        { groups: { gender: 'woman' }, count: 9 },
        { groups: { gender: 'man' }, count: 9 },
        { groups: {}, count: 5 },
      ],
    });
    expect(sheet.json()).toMatchObject({ total: 35, registered: 12, counted: 23 });

    // Hear: the women write online, the men speak at the meeting, five write anonymously.
    const said: Record<string, string[]> = { woman: [], man: [], unknown: [] };
    for (const token of tokens.woman!) {
      const res = await resident(`/dialogues/${id}/contributions`, {
        kind: 'idea',
        body: 'Fler bänkar och belysning',
        themes: ['belysning'],
        participantToken: token,
      });
      said.woman!.push(res.json().id);
    }
    for (let i = 0; i < 6; i++) {
      const res = await staff('POST', `/v1/dialogues/${id}/contributions`, {
        kind: 'proposal',
        body: 'En spontanidrottsplats',
        speakingSeconds: 120,
        demographics: { consent: true, consentTextVersion: 'v1', groups: { gender: 'man' } },
      });
      said.man!.push(res.json().id);
    }
    for (let i = 0; i < 5; i++) {
      const res = await resident(`/dialogues/${id}/contributions`, {
        kind: 'concern',
        body: 'Det är mörkt',
        language: 'sv',
      });
      said.unknown!.push(res.json().id);
    }
    const answered = await resident(`/dialogues/${id}/survey/responses`, {
      answers: [{ questionId: question.json().id, value: 4 }],
    });
    expect(answered.statusCode).toBe(201);

    // Respond.
    expect((await staff('POST', `/v1/dialogues/${id}/transitions`, { action: 'close' })).json().status).toBe(
      'closed',
    );
    const outcome = await staff('POST', `/v1/dialogues/${id}/outcomes`, {
      kind: 'decision',
      titles: { sv: 'Belysning och bänkar längs gångvägen', en: 'Lights and benches along the path' },
      descriptions: { sv: 'Beslutat i tekniska nämnden.', en: 'Decided by the technical committee.' },
      links: [
        ...said.woman!.slice(0, 4).map((contributionId) => ({ contributionId, response: 'taken' })),
        ...said.unknown!.map((contributionId) => ({ contributionId, response: 'taken' })),
      ],
    });
    expect(outcome.statusCode).toBe(201);
    const sport = await staff('POST', `/v1/dialogues/${id}/outcomes`, {
      kind: 'action',
      titles: { sv: 'Spontanidrottsplats utreds', en: 'A sports ground is being studied' },
      links: said.man!.map((contributionId, i) =>
        i < 4
          ? { contributionId, response: 'partly', reason: 'Mindre yta än föreslaget' }
          : { contributionId, response: 'not_taken', reason: 'Ryms inte' },
      ),
    });
    expect(sport.statusCode).toBe(201);
    await staff('PATCH', `/v1/dialogues/${id}`, {
      methodDocumentation: {
        howItWasRun: 'Öppet möte i skolans aula, kvällstid, med barnpassning och tolk.',
        whatWorked: 'Barnpassningen gjorde att fler föräldrar kom.',
      },
    });
    expect((await staff('POST', `/v1/dialogues/${id}/transitions`, { action: 'report' })).json().status).toBe(
      'reported',
    );

    // The published page, in English.
    const page = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${id}/outcomes?lang=en`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.json().dialogue.title).toBe('The park by Hacksta school');
    expect(page.json().outcomes.map((o: { title: string }) => o.title)).toEqual([
      'Lights and benches along the path',
      'A sports ground is being studied',
    ]);
    const html = await f.app.inject({ method: 'GET', url: `/public/${f.slug}/dialogues/${id}?lang=en` });
    expect(html.body).toContain('35 participants, 17 contributions');

    // The manager's question.
    const indicators = await staff('GET', `/v1/dialogues/${id}/indicators`, undefined, manager);
    expect(indicators.statusCode).toBe(200);
    const { womenAndMen } = indicators.json();
    // Reached: 15 women and 15 men of 35 → 0.428571 / 0.496875 = 0.8625… and / 0.5 = 0.857142…
    expect(womenAndMen.reached.woman).toBeCloseTo(15 / 35 / 0.496875, 10);
    expect(womenAndMen.reached.man).toBeCloseTo(15 / 35 / 0.5, 10);
    expect(womenAndMen.reached.equal).toBe(true);
    // Heard: 6 contributions each of 17.
    expect(womenAndMen.heard.ratio).toBeCloseTo(0.496875 / 0.5, 10);
    expect(womenAndMen.heard.equal).toBe(true);
    // Taken into account: women 4 of 6, men 4 of 6 (partly counts).
    expect(womenAndMen.influence).toMatchObject({ equal: true, ratio: 1 });
    expect(womenAndMen.influence.woman).toBeCloseTo(4 / 6, 10);
    // Managers read; they do not run dialogues.
    expect(
      (await staff('POST', `/v1/dialogues/${id}/transitions`, { action: 'open' }, manager)).statusCode,
    ).toBe(403);
  });
});
