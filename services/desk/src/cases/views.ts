import type { CaseRow } from '@samtal/cases';
import { type Executor, schema } from '@samtal/db';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { iso } from '../common.ts';

/**
 * What the desk shows of a case. Built field by field from the row, so a column added to `cases`
 * never leaks, and demographic data — kept in its own table — is never part of any of it.
 */
export const claimant = z.object({ id: z.uuid(), displayName: z.string() }).nullable();

export const caseSummary = z.object({
  id: z.uuid(),
  trackingCode: z.string(),
  status: z.string(),
  priority: z.string(),
  channel: z.string(),
  categoryId: z.uuid(),
  sensitive: z.boolean(),
  language: z.string(),
  description: z.string(),
  leadDepartmentId: z.uuid().nullable(),
  claimedBy: claimant,
  claimedAt: z.iso.datetime().nullable(),
  firstResponseDueAt: z.iso.datetime().nullable(),
  resolutionDueAt: z.iso.datetime().nullable(),
  firstRespondedAt: z.iso.datetime().nullable(),
  slaPaused: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CaseSummary = z.infer<typeof caseSummary>;

export const caseMessage = z.object({
  id: z.uuid(),
  direction: z.string(),
  body: z.string(),
  authorStaffId: z.uuid().nullable(),
  departmentId: z.uuid().nullable(),
  knowledgeArticleId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});

export const caseEvent = z.object({
  id: z.number().int(),
  type: z.string(),
  actorKind: z.string(),
  actorId: z.uuid().nullable(),
  visibility: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

export const caseDetail = caseSummary.extend({
  address: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  contact: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
  }),
  resolutionCode: z.string().nullable(),
  firstContactResolution: z.boolean(),
  resolvedAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
  returnCount: z.number().int(),
  reopenCount: z.number().int(),
  parentCaseId: z.uuid().nullable(),
  duplicateOfCaseId: z.uuid().nullable(),
  assisting: z.array(
    z.object({
      departmentId: z.uuid(),
      contribution: z.string().nullable(),
      contributedAt: z.iso.datetime().nullable(),
    }),
  ),
  messages: z.array(caseMessage),
  events: z.array(caseEvent),
});
export type CaseDetail = z.infer<typeof caseDetail>;

/** Names of claimants, for a page of cases. */
async function claimants(db: Executor, tenantId: string, rows: readonly CaseRow[]) {
  const ids = [...new Set(rows.map((r) => r.claimedBy).filter((id): id is string => id != null))];
  if (!ids.length) return new Map<string, string>();
  const users = await db
    .select({ id: schema.staffUsers.id, displayName: schema.staffUsers.displayName })
    .from(schema.staffUsers)
    .where(and(eq(schema.staffUsers.tenantId, tenantId), inArray(schema.staffUsers.id, ids)));
  return new Map(users.map((u) => [u.id, u.displayName]));
}

function summaryOf(row: CaseRow, names: Map<string, string>): CaseSummary {
  return {
    id: row.id,
    trackingCode: row.trackingCode,
    status: row.status,
    priority: row.priority,
    channel: row.channel,
    categoryId: row.categoryId,
    sensitive: row.sensitive,
    language: row.language,
    description: row.description,
    leadDepartmentId: row.leadDepartmentId,
    claimedBy: row.claimedBy
      ? { id: row.claimedBy, displayName: names.get(row.claimedBy) ?? 'unknown' }
      : null,
    claimedAt: iso(row.claimedAt),
    firstResponseDueAt: iso(row.firstResponseDueAt),
    resolutionDueAt: iso(row.resolutionDueAt),
    firstRespondedAt: iso(row.firstRespondedAt),
    slaPaused: row.slaPausedAt != null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function summaries(
  db: Executor,
  tenantId: string,
  rows: readonly CaseRow[],
): Promise<CaseSummary[]> {
  const names = await claimants(db, tenantId, rows);
  return rows.map((row) => summaryOf(row, names));
}

export async function detailOf(db: Executor, row: CaseRow): Promise<CaseDetail> {
  const { tenantId, id } = row;
  const [[summary], assisting, messages, events] = await Promise.all([
    summaries(db, tenantId, [row]),
    db
      .select()
      .from(schema.caseAssistingDepartments)
      .where(
        and(
          eq(schema.caseAssistingDepartments.tenantId, tenantId),
          eq(schema.caseAssistingDepartments.caseId, id),
        ),
      ),
    db
      .select()
      .from(schema.messages)
      .where(and(eq(schema.messages.tenantId, tenantId), eq(schema.messages.caseId, id)))
      .orderBy(asc(schema.messages.createdAt), asc(schema.messages.id)),
    db
      .select()
      .from(schema.caseEvents)
      .where(and(eq(schema.caseEvents.tenantId, tenantId), eq(schema.caseEvents.caseId, id)))
      .orderBy(asc(schema.caseEvents.id)),
  ]);
  return {
    ...summary!,
    address: row.address,
    latitude: row.latitude,
    longitude: row.longitude,
    attributes: row.attributes,
    contact: { name: row.contactName, email: row.contactEmail, phone: row.contactPhone },
    resolutionCode: row.resolutionCode,
    firstContactResolution: row.firstContactResolution,
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
    returnCount: row.returnCount,
    reopenCount: row.reopenCount,
    parentCaseId: row.parentCaseId,
    duplicateOfCaseId: row.duplicateOfCaseId,
    assisting: assisting.map((a) => ({
      departmentId: a.departmentId,
      contribution: a.contribution,
      contributedAt: iso(a.contributedAt),
    })),
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      body: m.body,
      authorStaffId: m.authorStaffId,
      departmentId: m.departmentId,
      knowledgeArticleId: m.knowledgeArticleId,
      createdAt: m.createdAt.toISOString(),
    })),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      actorKind: e.actorKind,
      actorId: e.actorId,
      visibility: e.visibility,
      data: e.data,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}
