import { type Executor, type PersonalDataMap, schema } from '@samtal/db';
import { type AnyColumn, and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';

/** The records one erasure, export or retention batch is about. */
export interface Subjects {
  caseIds: string[];
  /** Dialogue participations of an identified (registered) resident. */
  participationIds: string[];
}

/** How a resident is found: by e-mail, by phone, or both (either matches). */
export interface ResidentQuery {
  email?: string | undefined;
  phone?: string | undefined;
}

/** Digits and a leading plus only, so "070-123 45 67" and "0701234567" are the same number. */
export function normalisePhone(phone: string): string {
  return phone.replace(/[^0-9+]/g, '');
}

type TableKey = keyof PersonalDataMap;
export type SubjectLink = (subjects: Subjects, tenantId: string) => SQL;

const responsesOf = (s: Subjects, tenantId: string) => {
  const r = schema.surveyResponses;
  return sql`(select ${r.id} from ${r} where ${r.tenantId} = ${tenantId} and ${inArray(r.participationId, s.participationIds)})`;
};

/**
 * For every table holding a resident's personal data: which of its rows belong to the subjects.
 * Anonymisation and the subject-access export walk this map together with the personal data map;
 * a test fails when a table with resident columns has no entry here.
 */
export const subjectLinks: Partial<Record<TableKey, SubjectLink>> = {
  cases: (s) => inArray(schema.cases.id, s.caseIds),
  caseEvents: (s) => inArray(schema.caseEvents.caseId, s.caseIds),
  caseAssistingDepartments: (s) => inArray(schema.caseAssistingDepartments.caseId, s.caseIds),
  messages: (s) => inArray(schema.messages.caseId, s.caseIds),
  attachments: (s) => inArray(schema.attachments.caseId, s.caseIds),
  feedback: (s) => inArray(schema.feedback.caseId, s.caseIds),
  demographicProfiles: (s, tenantId) => {
    const d = schema.demographicProfiles;
    return or(
      inArray(d.caseId, s.caseIds),
      inArray(d.participationId, s.participationIds),
      sql`${d.surveyResponseId} in ${responsesOf(s, tenantId)}`,
    )!;
  },
  participations: (s) => inArray(schema.participations.id, s.participationIds),
  contributions: (s) => inArray(schema.contributions.participationId, s.participationIds),
  surveyAnswers: (s, tenantId) => sql`${schema.surveyAnswers.responseId} in ${responsesOf(s, tenantId)}`,
};

/**
 * What a subject-access export reads instead of (or besides) the links above: the timeline of the
 * resident's cases as they see it (public events), and their survey responses for context.
 */
export const contextLinks: Partial<Record<TableKey, SubjectLink>> = {
  caseEvents: (s) =>
    and(inArray(schema.caseEvents.caseId, s.caseIds), eq(schema.caseEvents.visibility, 'public'))!,
  surveyResponses: (s) => inArray(schema.surveyResponses.participationId, s.participationIds),
};

/** Columns whose value is a key in the file storage: the file goes with the row. */
export const fileKeyColumns: Partial<Record<TableKey, string>> = { attachments: 'storageKey' };

/** Every case and registered dialogue participation of the resident, in one tenant. */
export async function findResident(db: Executor, tenantId: string, query: ResidentQuery): Promise<Subjects> {
  const email = query.email?.trim().toLowerCase() || undefined;
  const phone = query.phone ? normalisePhone(query.phone) || undefined : undefined;
  if (!email && !phone) throw new Error('findResident needs an e-mail address or a phone number');
  const c = schema.cases;
  const p = schema.participations;
  const digits = (column: AnyColumn) => sql`regexp_replace(${column}, '[^0-9+]', '', 'g')`;
  const cases = await db
    .select({ id: c.id })
    .from(c)
    .where(
      and(
        eq(c.tenantId, tenantId),
        or(
          email ? sql`lower(${c.contactEmail}) = ${email}` : undefined,
          phone ? sql`${digits(c.contactPhone)} = ${phone}` : undefined,
        ),
      ),
    )
    .orderBy(c.createdAt);
  const participations = await db
    .select({ id: p.id })
    .from(p)
    .where(
      and(
        eq(p.tenantId, tenantId),
        or(
          email ? sql`lower(${p.email}) = ${email}` : undefined,
          phone ? sql`${digits(p.phone)} = ${phone}` : undefined,
        ),
      ),
    )
    .orderBy(p.createdAt);
  return { caseIds: cases.map((r) => r.id), participationIds: participations.map((r) => r.id) };
}
