import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, type DemoTenant, schema } from '@samtal/db';

let serial = 0;
const code = () =>
  `P${String(++serial).padStart(4, '0')}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

export interface CaseSpec {
  category?: string;
  status?: string;
  createdAt?: Date;
  firstRespondedAt?: Date | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  email?: string | null;
  phone?: string | null;
  rating?: number;
}

/** A case with a message and a rating, as retention meets them. */
export async function insertCase(db: Database, demo: DemoTenant, spec: CaseSpec = {}) {
  const createdAt = spec.createdAt ?? new Date(Date.now() - 30 * 86_400_000);
  const [row] = await db
    .insert(schema.cases)
    .values({
      tenantId: demo.tenantId,
      trackingCode: code(),
      accessTokenHash: 'x'.repeat(64),
      channel: 'web',
      categoryId: demo.categories[spec.category ?? 'pothole']!,
      description: 'A hole outside Storgatan 3, I am Anna',
      address: 'Storgatan 3',
      latitude: 59.61,
      longitude: 16.54,
      language: 'sv',
      contactName: 'Anna Andersson',
      contactEmail: spec.email === undefined ? 'anna@example.org' : spec.email,
      contactPhone: spec.phone === undefined ? '070-123 45 67' : spec.phone,
      status: spec.status ?? 'closed',
      createdAt,
      updatedAt: spec.closedAt ?? spec.resolvedAt ?? createdAt,
      firstRespondedAt:
        spec.firstRespondedAt === undefined
          ? new Date(createdAt.getTime() + 3_600_000)
          : spec.firstRespondedAt,
      resolvedAt: spec.resolvedAt ?? null,
      closedAt: spec.closedAt ?? null,
    })
    .returning();
  await db.insert(schema.caseEvents).values([
    {
      tenantId: demo.tenantId,
      caseId: row!.id,
      type: 'created',
      actorKind: 'resident',
      visibility: 'public',
      createdAt,
    },
    {
      tenantId: demo.tenantId,
      caseId: row!.id,
      type: 'note',
      actorKind: 'staff',
      visibility: 'internal',
      createdAt,
    },
  ]);
  await db.insert(schema.messages).values({
    tenantId: demo.tenantId,
    caseId: row!.id,
    direction: 'from_resident',
    body: 'My neighbour Bo saw it too',
  });
  if (spec.rating) {
    await db
      .insert(schema.feedback)
      .values({ tenantId: demo.tenantId, caseId: row!.id, rating: spec.rating, comment: 'Quick, thanks' });
  }
  return row!;
}

/**
 * One resident with a value in every resident column of the personal data map: a case with an
 * attachment (and its file), a message, feedback, an assisting department's contribution, a
 * demographic profile; a dialogue participation with a contribution, a survey response and answer,
 * and demographic profiles for both. The test checks that this really fills every column, so a
 * column added to the map without being added here fails the test.
 */
export async function insertResident(
  db: Database,
  demo: DemoTenant,
  uploadDir: string,
  who: { email: string; phone: string; name: string },
) {
  const tenantId = demo.tenantId;
  const [c] = await db
    .insert(schema.cases)
    .values({
      tenantId,
      trackingCode: code(),
      accessTokenHash: 'y'.repeat(64),
      channel: 'web',
      categoryId: demo.categories.pothole!,
      description: `${who.name} reports a hole`,
      latitude: 59.61,
      longitude: 16.54,
      address: 'Storgatan 3',
      language: 'sv',
      attributes: { size: 'large' },
      mediaUrls: ['https://example.org/photo.jpg'],
      contactName: who.name,
      contactEmail: who.email,
      contactPhone: who.phone,
      status: 'in_progress',
    })
    .returning();
  const [message] = await db
    .insert(schema.messages)
    .values({ tenantId, caseId: c!.id, direction: 'from_resident', body: `${who.name} again` })
    .returning();
  const storageKey = `${tenantId}/2026-01/${c!.id}.jpg`;
  mkdirSync(join(uploadDir, tenantId, '2026-01'), { recursive: true });
  writeFileSync(join(uploadDir, storageKey), 'jpeg bytes');
  await db.insert(schema.attachments).values({
    tenantId,
    caseId: c!.id,
    messageId: message!.id,
    storageKey,
    contentType: 'image/jpeg',
    sizeBytes: 10,
    originalName: `${who.name}.jpg`,
  });
  await db
    .insert(schema.feedback)
    .values({ tenantId, caseId: c!.id, rating: 4, comment: `Thanks, ${who.name}` });
  await db.insert(schema.caseAssistingDepartments).values({
    tenantId,
    caseId: c!.id,
    departmentId: demo.departments.water!,
    contribution: `Visited ${who.name}`,
    contributedAt: new Date(),
  });
  await db.insert(schema.caseEvents).values([
    { tenantId, caseId: c!.id, type: 'created', actorKind: 'resident', visibility: 'public' },
    {
      tenantId,
      caseId: c!.id,
      type: 'returned',
      actorKind: 'staff',
      visibility: 'internal',
      data: { departmentId: demo.departments.streets, reason: `${who.name} lives in another municipality` },
    },
  ]);
  const [dialogue] = await db
    .insert(schema.dialogues)
    .values({
      tenantId,
      title: 'Park',
      question: 'What next?',
      purpose: 'Plan',
      method: 'survey',
      languages: ['sv'],
    })
    .returning();
  const [participation] = await db
    .insert(schema.participations)
    .values({
      tenantId,
      dialogueId: dialogue!.id,
      kind: 'registered',
      name: who.name,
      email: who.email.toUpperCase(),
      phone: who.phone.replace(/ /g, ''),
    })
    .returning();
  await db.insert(schema.contributions).values({
    tenantId,
    dialogueId: dialogue!.id,
    participationId: participation!.id,
    source: 'participant',
    kind: 'idea',
    body: `${who.name} wants benches`,
    groups: { gender: 'woman' },
  });
  const [question] = await db
    .insert(schema.surveyQuestions)
    .values({ tenantId, dialogueId: dialogue!.id, position: 1, kind: 'free_text', prompts: { sv: 'Vad?' } })
    .returning();
  const [response] = await db
    .insert(schema.surveyResponses)
    .values({ tenantId, dialogueId: dialogue!.id, participationId: participation!.id })
    .returning();
  await db.insert(schema.surveyAnswers).values({
    tenantId,
    responseId: response!.id,
    questionId: question!.id,
    value: `${who.name} likes trees`,
  });
  const consent = { consentAt: new Date(), consentTextVersion: 'v1' };
  // One profile linking all three subjects, so each link column holds a value.
  await db.insert(schema.demographicProfiles).values({
    tenantId,
    caseId: c!.id,
    participationId: participation!.id,
    surveyResponseId: response!.id,
    groups: { gender: 'woman', age_band: '30-44' },
    ...consent,
  });
  return { caseId: c!.id, participationId: participation!.id, storageKey, dialogueId: dialogue!.id };
}
