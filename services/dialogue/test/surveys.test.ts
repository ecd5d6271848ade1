import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, counts, createDialogue, type Fixture, fixture } from './helpers.ts';

const S = { suppressed: true };

describe('surveys: questions, typed answers, results per group with small cells suppressed', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let dialogueId: string;
  const q: Record<string, string> = {};
  beforeAll(async () => {
    f = await fixture(ctx);
    dialogueId = await createDialogue(f, { method: 'online_survey' });
  });
  afterAll(() => f.close());

  const addQuestion = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${dialogueId}/survey/questions`,
      headers: f.facilitator.headers,
      payload,
    });
  const answer = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/survey/responses`,
      payload,
    });

  it('builds a questionnaire and checks each question against its kind', async () => {
    const lamps = await addQuestion({
      kind: 'single_choice',
      required: true,
      prompts: { sv: 'Behövs fler lampor i parken?', en: 'Does the park need more lights?' },
      options: [
        { key: 'yes', names: { sv: 'Ja', en: 'Yes' } },
        { key: 'no', names: { sv: 'Nej', en: 'No' } },
      ],
    });
    expect(lamps.statusCode).toBe(201);
    q.lamps = lamps.json().id;
    q.safety = (
      await addQuestion({ kind: 'scale', prompts: { sv: 'Hur trygg känner du dig? (1–5)' } })
    ).json().id;
    q.places = (
      await addQuestion({
        kind: 'multiple_choice',
        prompts: { sv: 'Var känner du dig otrygg?' },
        options: [
          { key: 'tunnel', names: { sv: 'Gångtunneln' } },
          { key: 'busstop', names: { sv: 'Busshållplatsen' } },
          { key: 'park', names: { sv: 'Parken' } },
        ],
      })
    ).json().id;
    q.other = (await addQuestion({ kind: 'free_text', prompts: { sv: 'Något mer?' } })).json().id;
    const gender = await addQuestion({
      kind: 'single_choice',
      prompts: { sv: 'Kön' },
      demographicDimension: 'gender',
    });
    expect(gender.statusCode).toBe(201);
    expect(gender.json().options.map((o: { key: string }) => o.key)).toEqual([
      'woman',
      'man',
      'non_binary',
      'unknown',
    ]);
    q.gender = gender.json().id;

    const bad = await addQuestion({ kind: 'single_choice', prompts: { en: 'Only English' }, options: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['prompts.sv', 'options']);
    const scale = await addQuestion({ kind: 'scale', prompts: { sv: 'x' }, scaleMin: 5, scaleMax: 1 });
    expect(scale.json().errors[0].field).toBe('scaleMax');
    const twice = await addQuestion({
      kind: 'single_choice',
      prompts: { sv: 'x' },
      demographicDimension: 'gender',
    });
    expect(twice.json().errors[0].field).toBe('demographicDimension');
  });

  it('shows the questionnaire to residents in their language', async () => {
    await act(f, dialogueId, 'open');
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/survey`,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(res.json().language).toBe('en');
    expect(res.json().questions[0]).toMatchObject({
      prompt: 'Does the park need more lights?',
      options: [
        { key: 'yes', label: 'Yes' },
        { key: 'no', label: 'No' },
      ],
      required: true,
    });
    // No English prompt: the default language stands in.
    expect(res.json().questions[1].prompt).toBe('Hur trygg känner du dig? (1–5)');
    expect(res.json().questions[4]).toMatchObject({ demographic: true });
  });

  it('refuses answers of the wrong type, naming the field, and writes nothing', async () => {
    const before = await counts(ctx.database, f.tenantId);
    const cases: [unknown[], string][] = [
      [[{ questionId: q.lamps, value: 1 }], 'answers.0.value'],
      [[{ questionId: q.lamps, value: 'maybe' }], 'answers.0.value'],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.safety, value: 6 },
        ],
        'answers.1.value',
      ],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.safety, value: 2.5 },
        ],
        'answers.1.value',
      ],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.places, value: 'tunnel' },
        ],
        'answers.1.value',
      ],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.places, value: ['moon'] },
        ],
        'answers.1.value',
      ],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.other, value: ['x'] },
        ],
        'answers.1.value',
      ],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.gender, value: 'woman' },
        ],
        'answers.1.value',
      ],
      [[{ questionId: q.safety, value: 3 }], 'answers'],
      [
        [
          { questionId: q.lamps, value: 'yes' },
          { questionId: q.lamps, value: 'no' },
        ],
        'answers.1.questionId',
      ],
    ];
    for (const [answers, field] of cases) {
      const res = await answer({ answers });
      expect(res.statusCode, JSON.stringify(answers)).toBe(400);
      expect(res.json().errors[0].field, JSON.stringify(answers)).toBe(field);
    }
    expect(await counts(ctx.database, f.tenantId)).toEqual(before);
  });

  it('reports results per question and per group, small cells suppressed and never shown as 0', async () => {
    // 11 women (6 yes, 5 no), 12 men (7 yes, 5 no), 5 without a gender (3 yes, 2 no).
    const people = [
      ...Array.from({ length: 11 }, (_, i) => ({ gender: 'woman', lamps: i < 6 ? 'yes' : 'no', safety: 2 })),
      ...Array.from({ length: 12 }, (_, i) => ({ gender: 'man', lamps: i < 7 ? 'yes' : 'no', safety: 4 })),
      ...Array.from({ length: 5 }, (_, i) => ({
        gender: i === 0 ? 'unknown' : null,
        lamps: i < 3 ? 'yes' : 'no',
        safety: 3,
      })),
    ];
    for (const p of people) {
      const res = await answer({
        language: 'sv',
        answers: [
          { questionId: q.lamps, value: p.lamps },
          { questionId: q.safety, value: p.safety },
          { questionId: q.places, value: p.gender === 'woman' ? ['tunnel', 'park'] : ['busstop'] },
          ...(p.gender ? [{ questionId: q.gender, value: p.gender }] : []),
        ],
        ...(p.gender ? { demographicsConsent: { consent: true, consentTextVersion: 'survey-v1' } } : {}),
      });
      expect(res.statusCode).toBe(201);
    }
    await answer({
      answers: [
        { questionId: q.lamps, value: 'yes' },
        { questionId: q.other, value: 'Tack!' },
      ],
    }).then((r) => expect(r.statusCode).toBe(201));

    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}/survey/results?by=gender`,
      headers: f.manager.headers,
    });
    expect(res.statusCode).toBe(200);
    const results = res.json();
    expect(results).toMatchObject({ dimension: 'gender', smallCellK: 5, responses: 29 });
    // 11, 12, 0, 6: the zero is a small cell; the next smallest (unknown, 6) hides with it.
    expect(results.respondents).toEqual([
      { group: 'woman', count: 11 },
      { group: 'man', count: 12 },
      { group: 'non_binary', count: S },
      { group: 'unknown', count: S },
    ]);
    const lamps = results.questions.find((x: { id: string }) => x.id === q.lamps);
    expect(lamps.counts).toEqual([
      { key: 'yes', count: 17 },
      { key: 'no', count: 12 },
    ]);
    // Hand-worked: unknown (4 yes, 2 no) and non_binary (0, 0) are small in both columns; in each
    // column the smallest visible cell (the women's) is hidden too, so no column gives them away.
    expect(lamps.byGroup).toEqual({
      columns: ['yes', 'no'],
      rows: [
        { group: 'woman', cells: [S, S], total: 11 },
        { group: 'man', cells: [7, 5], total: 12 },
        { group: 'non_binary', cells: [S, S], total: S },
        { group: 'unknown', cells: [S, S], total: S },
      ],
      columnTotals: [17, 12],
      total: 29,
    });
    const safety = results.questions.find((x: { id: string }) => x.id === q.safety);
    expect(safety.mean).toBeCloseTo((11 * 2 + 12 * 4 + 5 * 3) / 28, 10);
    expect(safety.meanByGroup).toEqual([
      { group: 'woman', mean: 2 },
      { group: 'man', mean: 4 },
      { group: 'non_binary', mean: null },
      { group: 'unknown', mean: null },
    ]);
    const other = results.questions.find((x: { id: string }) => x.id === q.other);
    expect(other).toMatchObject({ answered: 1, freeText: ['Tack!'], byGroup: null });
    // The demographic question is not a result of its own: it is the breakdown.
    expect(results.questions.some((x: { id: string }) => x.id === q.gender)).toBe(false);
  });

  it('takes no answers once the dialogue is closed', async () => {
    await act(f, dialogueId, 'close');
    const res = await answer({ answers: [{ questionId: q.lamps, value: 'yes' }] });
    expect(res.statusCode).toBe(409);
  });
});
