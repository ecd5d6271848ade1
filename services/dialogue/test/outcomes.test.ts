import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, counts, createDialogue, type Fixture, fixture } from './helpers.ts';

describe('outcomes and the public "you said, we did" page', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let dialogueId: string;
  let otherId: string;
  const said: string[] = [];
  let foreignContribution: string;
  beforeAll(async () => {
    f = await fixture(ctx);
    dialogueId = await createDialogue(f, {
      translations: { en: { title: 'Safety in Bäckby centre', question: 'What would make you feel safer?' } },
    });
    otherId = await createDialogue(f, { title: 'Another dialogue' });
    await act(f, dialogueId, 'open');
    await act(f, otherId, 'open');
    for (const body of ['Fler lampor vid tunneln', 'Klipp buskarna vid torget', 'Kameror överallt']) {
      const res = await f.app.inject({
        method: 'POST',
        url: `/v1/public/${f.slug}/dialogues/${dialogueId}/contributions`,
        payload: { kind: 'idea', body },
      });
      said.push(res.json().id);
    }
    foreignContribution = (
      await f.app.inject({
        method: 'POST',
        url: `/v1/public/${f.slug}/dialogues/${otherId}/contributions`,
        payload: { kind: 'idea', body: 'Something elsewhere' },
      })
    ).json().id;
  });
  afterAll(() => f.close());

  const addOutcome = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${dialogueId}/outcomes`,
      headers: f.facilitator.headers,
      payload,
    });

  it('refuses links to another dialogue’s contributions and "not taken" without a reason, writing nothing', async () => {
    const before = await counts(ctx.database, f.tenantId);
    const foreign = await addOutcome({
      kind: 'decision',
      titles: { sv: 'Belysning' },
      links: [
        { contributionId: said[0], response: 'taken' },
        { contributionId: foreignContribution, response: 'taken' },
      ],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors).toEqual([
      { field: 'links.1.contributionId', message: 'is not a contribution to this dialogue' },
    ]);
    const noReason = await addOutcome({
      kind: 'decision',
      titles: { sv: 'Kameror' },
      links: [{ contributionId: said[2], response: 'not_taken' }],
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('links.0.reason');
    const noDefault = await addOutcome({ kind: 'action', titles: { en: 'Lights' } });
    expect(noDefault.json().errors[0].field).toBe('titles.sv');
    expect(await counts(ctx.database, f.tenantId)).toEqual(before);
  });

  it('records outcomes linked to what was said', async () => {
    const lights = await addOutcome({
      kind: 'action',
      titles: { sv: 'Ny belysning i gångtunneln', en: 'New lighting in the underpass' },
      descriptions: {
        sv: 'Gata och park byter armaturer i oktober.',
        en: 'Streets replace the lights in October.',
      },
      decidedAt: '2026-09-30T10:00:00+02:00',
      links: [
        { contributionId: said[0], response: 'taken' },
        {
          contributionId: said[2],
          response: 'not_taken',
          reason: 'Kamerabevakning kräver tillstånd; vi börjar med ljus.',
        },
      ],
    });
    expect(lights.statusCode).toBe(201);
    expect(lights.json().links).toHaveLength(2);
    const more = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${dialogueId}/outcomes/${lights.json().id}/links`,
      headers: f.facilitator.headers,
      payload: { links: [{ contributionId: said[1], response: 'partly', reason: 'Bara vid torget' }] },
    });
    expect(more.statusCode).toBe(200);
    expect(
      more
        .json()
        .links.map((l: { response: string }) => l.response)
        .sort(),
    ).toEqual(['not_taken', 'partly', 'taken']);
    const list = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}/contributions`,
      headers: f.manager.headers,
    });
    expect(list.json().contributions.map((c: { response: string }) => c.response)).toEqual([
      'taken',
      'partly',
      'not_taken',
    ]);
  });

  it('publishes "you said, we did" only once the dialogue is reported', async () => {
    const early = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/outcomes`,
    });
    expect(early.statusCode).toBe(404);
    await act(f, dialogueId, 'close');
    await act(f, dialogueId, 'report');

    const en = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/outcomes?lang=en`,
    });
    expect(en.statusCode).toBe(200);
    const page = en.json();
    expect(page.dialogue).toMatchObject({
      language: 'en',
      title: 'Safety in Bäckby centre',
      status: 'reported',
      outcomesPublished: true,
    });
    expect(page.outcomes).toHaveLength(1);
    expect(page.outcomes[0]).toMatchObject({
      kind: 'action',
      title: 'New lighting in the underpass',
      description: 'Streets replace the lights in October.',
    });
    expect(page.outcomes[0].responses).toContainEqual({
      response: 'not_taken',
      reason: 'Kamerabevakning kräver tillstånd; vi börjar med ljus.',
      contribution: { kind: 'idea', body: 'Kameror överallt', themes: [], language: null },
    });
    // Three contributions and no participants: below k, so the counts are suppressed, not zero.
    expect(page.indicators.contributions).toEqual({ suppressed: true });

    // Chinese: the outcome has no Chinese text, so the default language stands in.
    const zh = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/outcomes`,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().outcomes[0].title).toBe('Ny belysning i gångtunneln');
  });

  it('serves the page as accessible HTML in the reader’s language, escaping what residents wrote', async () => {
    await f.app.inject({
      method: 'POST',
      url: `/v1/public/${f.slug}/dialogues/${otherId}/contributions`,
      payload: { kind: 'idea', body: '<script>alert("x")</script>' },
    });
    const html = await f.app.inject({
      method: 'GET',
      url: `/public/${f.slug}/dialogues/${dialogueId}?lang=sv`,
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-language']).toBe('sv');
    expect(html.body).toContain('<html lang="sv">');
    expect(html.body).toContain(
      '<h1>Ni sa, vi gjorde: <span lang="sv">Trygghet i Bäckby centrum</span></h1>',
    );
    expect(html.body).toContain('Togs inte tillvara</strong> — Därför: Kamerabevakning kräver tillstånd');
    expect(html.body).toContain('hreflang="en"');
    const en = await f.app.inject({
      method: 'GET',
      url: `/public/${f.slug}/dialogues/${dialogueId}?lang=en`,
    });
    expect(en.body).toContain('You said, we did');

    // The other dialogue is not reported: no page, and nothing a resident wrote is echoed raw.
    const other = await f.app.inject({ method: 'GET', url: `/public/${f.slug}/dialogues/${otherId}` });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('<script>');
  });

  it('lists dialogues for residents per municipality, and no other municipality’s', async () => {
    const list = await f.app.inject({ method: 'GET', url: `/v1/public/${f.slug}/dialogues?lang=en` });
    expect(list.json().dialogues.map((d: { title: string }) => d.title)).toEqual(
      expect.arrayContaining(['Safety in Bäckby centre', 'Another dialogue']),
    );
    const other = await fixture(ctx);
    const elsewhere = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${other.slug}/dialogues/${dialogueId}`,
    });
    expect(elsewhere.statusCode).toBe(404);
    const staffElsewhere = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}`,
      headers: other.manager.headers,
    });
    expect(staffElsewhere.statusCode).toBe(404);
    await other.close();
    expect((await f.app.inject({ method: 'GET', url: '/v1/public/nowhere/dialogues' })).statusCode).toBe(404);
  });
});
