import { type Database, schema as s } from '@samtal/db';
import { and, arrayContains, eq } from 'drizzle-orm';

/**
 * Two pilot dialogues for the demo municipality (the project indicator asks for at least two):
 * a reported walk-and-talk on safety in Bäckby, with its sign-in sheet, what was said and the
 * outcomes ("you said, we did"), saved as a template; and an open school visit plus online survey
 * about Skiljebo park that residents can join right away. Does nothing if the tenant has dialogues.
 */
export async function seedPilotDialogues(db: Database, tenantId: string): Promise<string[]> {
  const existing = await db
    .select({ id: s.dialogues.id })
    .from(s.dialogues)
    .where(eq(s.dialogues.tenantId, tenantId))
    .limit(1);
  if (existing.length) return [];
  const [facilitator] = await db
    .select({ id: s.staffUsers.id })
    .from(s.staffUsers)
    .where(
      and(eq(s.staffUsers.tenantId, tenantId), arrayContains(s.staffUsers.roles, ['dialogue_facilitator'])),
    );
  const by = facilitator?.id ?? null;

  return db.transaction(async (tx) => {
    const walkDocumentation = {
      howItWasRun:
        'Two evening walks (18–20) through Bäckby centre, starting at the bus stop. A facilitator and a ' +
        'street-light engineer walked with residents, stopped at five places residents picked on a map ' +
        'beforehand, and wrote down what was said at each stop. Interpreters for Arabic and Somali walked along.',
      materials:
        'Printed map with the five stops, torches, a clipboard sign-in sheet (gender and age boxes), sticky notes.',
      whatWorked:
        'Meeting where people already are (the bus stop); going in the dark; interpreters; a women-only walk the first evening.',
      whatDidNot:
        'Rain the second evening halved the turnout; young men mostly joined for a few minutes only.',
    };
    const [walk] = await tx
      .insert(s.dialogues)
      .values({
        tenantId,
        title: 'Trygghetsvandring i Bäckby centrum',
        question: 'Var känner du dig otrygg i Bäckby centrum på kvällen, och vad skulle hjälpa?',
        purpose: 'Underlag till belysningsplanen 2027 och till polisens och kommunens trygghetsarbete.',
        method: 'walk_and_talk',
        status: 'reported',
        targetGroups: { gender: { woman: 0.5, man: 0.5 } },
        sessions: [
          {
            place: 'Bäckby centrum, busshållplatsen',
            startsAt: '2026-03-10T18:00:00+01:00',
            endsAt: '2026-03-10T20:00:00+01:00',
          },
          {
            place: 'Bäckby centrum, busshållplatsen',
            startsAt: '2026-03-12T18:00:00+01:00',
            endsAt: '2026-03-12T20:00:00+01:00',
          },
        ],
        partners: ['Bäckby föreningsråd', 'Polisen i Västerås', 'Mälarenergi'],
        languages: ['sv', 'en'],
        methodDocumentation: walkDocumentation,
        venueTotal: 46,
        translations: {
          en: {
            title: 'Safety walk in Bäckby centre',
            question: 'Where do you feel unsafe in Bäckby centre in the evening, and what would help?',
            purpose:
              'Input to the 2027 lighting plan and to the safety work of the police and the municipality.',
          },
        },
        openedAt: new Date('2026-03-01T08:00:00+01:00'),
        closedAt: new Date('2026-03-13T09:00:00+01:00'),
        reportedAt: new Date('2026-04-20T10:00:00+02:00'),
        createdBy: by,
      })
      .returning();
    const sheet: { groups: Record<string, string>; count: number }[] = [
      { groups: { gender: 'woman', age_band: '30-44' }, count: 9 },
      { groups: { gender: 'woman', age_band: '45-64' }, count: 7 },
      { groups: { gender: 'woman', age_band: '65+' }, count: 6 },
      { groups: { gender: 'man', age_band: '18-29' }, count: 5 },
      { groups: { gender: 'man', age_band: '45-64' }, count: 8 },
      { groups: { gender: 'man' }, count: 6 },
      { groups: {}, count: 5 },
    ];
    await tx
      .insert(s.participations)
      .values(
        sheet.map((row) => ({ tenantId, dialogueId: walk!.id, kind: 'aggregate', recordedBy: by, ...row })),
      );
    const said = [
      [
        'woman',
        'concern',
        'Gångtunneln under Bäckbyvägen är mörk och lång; jag går runt i stället.',
        ['belysning'],
      ],
      [
        'woman',
        'idea',
        'Belysning som tänds hela vägen genom tunneln, inte bara vid ingångarna.',
        ['belysning'],
      ],
      ['woman', 'proposal', 'Klipp buskarna vid torget så man ser vem som står där.', ['grönska']],
      [
        'woman',
        'concern',
        'Busshållplatsen saknar tak och ljus; man står i mörker och väntar.',
        ['belysning', 'kollektivtrafik'],
      ],
      ['woman', 'idea', 'Öppna fritidsgården längre på fredagar.', ['fritid']],
      ['woman', 'question', 'Vem ansvarar för lamporna på parkeringen vid ICA?', ['belysning']],
      ['man', 'proposal', 'Kameror i tunneln.', ['kameror']],
      ['man', 'idea', 'Fler aktiviteter för unga på kvällen, t.ex. spontanidrott.', ['fritid']],
      ['man', 'concern', 'Mopeder kör på gångvägarna.', ['trafik']],
      ['man', 'idea', 'Bättre belysning på gångvägen mot Bäckbyskolan.', ['belysning']],
      ['man', 'concern', 'Det är skräpigt bakom centrumhuset.', ['städning']],
      ['man', 'question', 'Kan fritidsgården ha öppet på lördagar?', ['fritid']],
      [null, 'idea', 'Ljusare färg i tunneln.', ['belysning']],
      [null, 'concern', 'Jag vågar inte gå ut efter nio.', ['trygghet']],
      [null, 'idea', 'Fler vuxna ute på kvällarna, nattvandrare.', ['trygghet']],
      [null, 'question', 'Kommer ni tillbaka och berättar vad som händer?', ['återkoppling']],
      [null, 'proposal', 'Tryckknapp för belysning i tunneln.', ['belysning']],
    ] as const;
    const contributions = await tx
      .insert(s.contributions)
      .values(
        said.map(([gender, kind, body, themes], i) => ({
          tenantId,
          dialogueId: walk!.id,
          source: 'facilitator',
          kind,
          body,
          themes: [...themes],
          language: 'sv',
          groups: (gender ? { gender } : {}) as Record<string, string>,
          speakingSeconds: 40 + ((i * 17) % 80),
          recordedBy: by,
          createdAt: new Date(Date.parse('2026-03-10T18:10:00+01:00') + i * 240_000),
        })),
      )
      .returning({ id: s.contributions.id });
    const c = contributions.map((x) => x.id);
    const outcomes = await tx
      .insert(s.outcomes)
      .values([
        {
          tenantId,
          dialogueId: walk!.id,
          kind: 'decision',
          titles: {
            sv: 'Ny belysning i gångtunneln och längs gångvägen',
            en: 'New lighting in the underpass and along the path',
          },
          descriptions: {
            sv: 'Tekniska nämnden beslutade i april att byta all belysning i tunneln och längs gångvägen mot Bäckbyskolan hösten 2026.',
            en: 'In April the technical committee decided to replace all lights in the underpass and along the path to Bäckby school in autumn 2026.',
          },
          decidedAt: new Date('2026-04-15T14:00:00+02:00'),
        },
        {
          tenantId,
          dialogueId: walk!.id,
          kind: 'action',
          titles: {
            sv: 'Röjning vid torget och städning bakom centrumhuset',
            en: 'Clearing by the square and cleaning behind the centre',
          },
          descriptions: {
            sv: 'Gata och park röjer buskarna i maj.',
            en: 'Streets and parks clear the bushes in May.',
          },
          decidedAt: new Date('2026-04-20T10:00:00+02:00'),
        },
      ])
      .returning({ id: s.outcomes.id });
    const [lights, clearing] = outcomes.map((o) => o.id);
    await tx.insert(s.outcomeLinks).values([
      { tenantId, outcomeId: lights!, contributionId: c[0]!, response: 'taken' },
      { tenantId, outcomeId: lights!, contributionId: c[1]!, response: 'taken' },
      {
        tenantId,
        outcomeId: lights!,
        contributionId: c[3]!,
        response: 'partly',
        reason: 'Ljus nu; tak på hållplatsen är Region Västmanlands beslut.',
      },
      { tenantId, outcomeId: lights!, contributionId: c[9]!, response: 'taken' },
      { tenantId, outcomeId: lights!, contributionId: c[12]!, response: 'taken' },
      {
        tenantId,
        outcomeId: lights!,
        contributionId: c[16]!,
        response: 'not_taken',
        reason: 'Ljuset ska vara tänt hela natten, utan knapp.',
      },
      {
        tenantId,
        outcomeId: lights!,
        contributionId: c[6]!,
        response: 'not_taken',
        reason: 'Kamerabevakning kräver tillstånd; vi börjar med ljus och följer upp.',
      },
      { tenantId, outcomeId: clearing!, contributionId: c[2]!, response: 'taken' },
      { tenantId, outcomeId: clearing!, contributionId: c[10]!, response: 'taken' },
    ]);
    await tx.insert(s.dialogues).values({
      tenantId,
      title: 'Trygghetsvandring (mall)',
      question: walk!.question,
      purpose: walk!.purpose,
      method: 'walk_and_talk',
      targetGroups: walk!.targetGroups,
      partners: walk!.partners,
      languages: walk!.languages,
      methodDocumentation: walkDocumentation,
      translations: walk!.translations,
      isTemplate: true,
      templateId: walk!.id,
      createdBy: by,
    });

    const [park] = await tx
      .insert(s.dialogues)
      .values({
        tenantId,
        title: 'Unga om Skiljebo park',
        question: 'Vad vill du kunna göra i Skiljebo park?',
        purpose: 'Barn och unga hörs sällan om parker; svaren styr upprustningen 2027.',
        method: 'school_visit',
        status: 'open',
        targetGroups: { gender: { woman: 0.5, man: 0.5 }, age_band: { '0-17': 0.6, '18-29': 0.4 } },
        sessions: [
          {
            place: 'Skiljeboskolan, klass 7–9',
            startsAt: '2026-11-24T09:00:00+01:00',
            endsAt: '2026-11-24T12:00:00+01:00',
            capacity: 90,
          },
        ],
        partners: ['Skiljeboskolan', 'Fritidsgården Skiljebo'],
        languages: ['sv', 'en'],
        methodDocumentation: {
          howItWasRun:
            'Lesson-long workshops in three classes plus an online survey open for three weeks, linked from the school app.',
          materials: 'Aerial photo of the park, dot stickers, the survey link as a QR code.',
        },
        venueTotal: 90,
        translations: {
          en: {
            title: 'Young people on Skiljebo park',
            question: 'What would you like to be able to do in Skiljebo park?',
            purpose:
              'Children and young people are rarely heard about parks; their answers steer the 2027 renovation.',
          },
        },
        openedAt: new Date(),
        createdBy: by,
      })
      .returning();
    await tx.insert(s.surveyQuestions).values([
      {
        tenantId,
        dialogueId: park!.id,
        position: 1,
        kind: 'multiple_choice',
        required: true,
        prompts: { sv: 'Vad vill du göra i parken?', en: 'What would you like to do in the park?' },
        options: [
          { key: 'sport', names: { sv: 'Idrott och spel', en: 'Sports and games' } },
          { key: 'hang_out', names: { sv: 'Umgås', en: 'Hang out' } },
          { key: 'quiet', names: { sv: 'Vara i lugn och ro', en: 'Be somewhere quiet' } },
          { key: 'events', names: { sv: 'Evenemang och musik', en: 'Events and music' } },
        ],
      },
      {
        tenantId,
        dialogueId: park!.id,
        position: 2,
        kind: 'scale',
        scaleMin: 1,
        scaleMax: 5,
        prompts: {
          sv: 'Hur trygg känner du dig i parken? (1–5)',
          en: 'How safe do you feel in the park? (1–5)',
        },
      },
      {
        tenantId,
        dialogueId: park!.id,
        position: 3,
        kind: 'free_text',
        prompts: { sv: 'Något mer du vill säga?', en: 'Anything else?' },
      },
      {
        tenantId,
        dialogueId: park!.id,
        position: 4,
        kind: 'single_choice',
        demographicDimension: 'gender',
        prompts: { sv: 'Kön (frivilligt)', en: 'Gender (voluntary)' },
      },
      {
        tenantId,
        dialogueId: park!.id,
        position: 5,
        kind: 'single_choice',
        demographicDimension: 'age_band',
        prompts: { sv: 'Ålder (frivilligt)', en: 'Age (voluntary)' },
      },
    ]);
    await tx.insert(s.participations).values([
      {
        tenantId,
        dialogueId: park!.id,
        kind: 'aggregate',
        count: 14,
        groups: { gender: 'woman', age_band: '0-17' },
        recordedBy: by,
      },
      {
        tenantId,
        dialogueId: park!.id,
        kind: 'aggregate',
        count: 12,
        groups: { gender: 'man', age_band: '0-17' },
        recordedBy: by,
      },
      {
        tenantId,
        dialogueId: park!.id,
        kind: 'aggregate',
        count: 3,
        groups: { age_band: '0-17' },
        recordedBy: by,
      },
    ]);
    await tx.insert(s.contributions).values(
      [
        ['woman', 'idea', 'En plats att sitta under tak när det regnar.'],
        ['woman', 'proposal', 'Belysning vid fotbollsplanen så man kan spela på kvällen.'],
        ['man', 'idea', 'Basketkorgar.'],
        ['man', 'concern', 'Äldre killar tar över planen.'],
      ].map(([gender, kind, body]) => ({
        tenantId,
        dialogueId: park!.id,
        source: 'facilitator',
        kind: kind!,
        body: body!,
        language: 'sv',
        groups: { gender: gender! },
        recordedBy: by,
      })),
    );
    return [walk!.id, park!.id];
  });
}
