import type { Executor } from '@samtal/db';
import { and, eq } from 'drizzle-orm';
import { columnsOf, residentColumnsOf, type TableKey, tableOf } from './map.ts';
import {
  contextLinks,
  findResident,
  type ResidentQuery,
  type SubjectLink,
  subjectLinks,
} from './subjects.ts';

/** Secrets that identify nothing and must not leave the system, even to their owner. */
const notExported = new Set([
  'accessTokenHash',
  'requestHash',
  'tokenHash',
  'csrfToken',
  'keyHash',
  'passwordHash',
]);

export const SUBJECT_ACCESS_FORMAT = 'samtal.subject-access/1';

export interface SubjectAccessDocument {
  format: typeof SUBJECT_ACCESS_FORMAT;
  generatedAt: string;
  tenantId: string;
  /** How the person was found. */
  query: ResidentQuery;
  found: { cases: number; participations: number };
  /** Table → the rows held about the person (every column but secrets). */
  tables: Partial<Record<TableKey, Record<string, unknown>[]>>;
  /** For each personal column exported: what kind of data it is and why it is kept. */
  explanations: Partial<Record<TableKey, Record<string, { kind: string; why: string }>>>;
}

function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Everything held about one resident (right of access, GDPR art. 15), found by e-mail or phone:
 * their cases with the public timeline, messages (internal notes included: they are about the
 * person; the data protection officer reviews the file before sending it), attachment metadata,
 * feedback, demographic profiles with consent, dialogue participations, contributions and survey
 * answers. Driven by the personal data map, so a new personal column is exported without code.
 */
export async function subjectAccessExport(
  db: Executor,
  tenantId: string,
  query: ResidentQuery,
  now: Date = new Date(),
): Promise<SubjectAccessDocument> {
  const subjects = await findResident(db, tenantId, query);
  const tables: SubjectAccessDocument['tables'] = {};
  const explanations: SubjectAccessDocument['explanations'] = {};
  const links = { ...subjectLinks, ...contextLinks } as Record<TableKey, SubjectLink>;
  for (const [table, link] of Object.entries(links) as [TableKey, SubjectLink][]) {
    const columns = columnsOf(table);
    const rows = await db
      .select()
      .from(tableOf(table))
      .where(and(eq(columns.tenantId!, tenantId), link(subjects, tenantId)));
    tables[table] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row as Record<string, unknown>)
          .filter(([key]) => !notExported.has(key))
          .map(([key, value]) => [key, plain(value)]),
      ),
    );
    const personal = residentColumnsOf(table);
    if (personal.length) {
      explanations[table] = Object.fromEntries(
        personal.map(([key, c]) => [key, { kind: c.kind, why: c.why }]),
      );
    }
  }
  return {
    format: SUBJECT_ACCESS_FORMAT,
    generatedAt: now.toISOString(),
    tenantId,
    query: { ...(query.email ? { email: query.email } : {}), ...(query.phone ? { phone: query.phone } : {}) },
    found: { cases: subjects.caseIds.length, participations: subjects.participationIds.length },
    tables,
    explanations,
  };
}
