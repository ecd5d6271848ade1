import type { CaseRow } from '@samtal/cases';
import { inTenantTransaction, schema } from '@samtal/db';
import { type CaseStatus, open311Status } from '@samtal/domain';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { localised, type TenantCatalog } from '../catalog.ts';
import type { IntakeContext } from '../context.ts';
import type { Tenant } from '../tenants.ts';
import type { InquiryView } from './schemas.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Last moment a dissatisfied resident may ask for re-handling, or null when that is not possible. */
export function rehandlingDeadline(tenant: Tenant, row: CaseRow): Date | null {
  if (row.status !== 'resolved' && row.status !== 'closed') return null;
  if (!row.resolvedAt) return null;
  return new Date(row.resolvedAt.getTime() + tenant.reopenWindowDays * 24 * 3600 * 1000);
}

/**
 * What a resident sees of their inquiry: public events and the messages between them and the
 * municipality. Never internal notes, internal events or demographics; handler names only where
 * the tenant shows them. Every field is listed here, so a new column never leaks by accident.
 */
export async function inquiryView(
  ctx: IntakeContext,
  tenant: Tenant,
  catalog: TenantCatalog,
  row: CaseRow,
): Promise<InquiryView> {
  const { caseEvents, messages, attachments, feedback, staffUsers } = schema;
  // Read as the tenant: row-level security confines these reads beneath their own tenant filters;
  // the queries travel pipelined on the transaction's connection.
  const { events, threads, photos, rating, names } = await inTenantTransaction(
    ctx.db.db,
    tenant.id,
    async (tx) => {
      const read = await Promise.all([
        tx
          .select({
            createdAt: caseEvents.createdAt,
            type: caseEvents.type,
            actorKind: caseEvents.actorKind,
            actorId: caseEvents.actorId,
            data: caseEvents.data,
          })
          .from(caseEvents)
          .where(
            and(
              eq(caseEvents.tenantId, tenant.id),
              eq(caseEvents.caseId, row.id),
              eq(caseEvents.visibility, 'public'),
            ),
          )
          .orderBy(asc(caseEvents.id)),
        tx
          .select({
            createdAt: messages.createdAt,
            direction: messages.direction,
            body: messages.body,
            authorStaffId: messages.authorStaffId,
            departmentId: messages.departmentId,
          })
          .from(messages)
          .where(
            and(
              eq(messages.tenantId, tenant.id),
              eq(messages.caseId, row.id),
              inArray(messages.direction, ['to_resident', 'from_resident']),
            ),
          )
          .orderBy(asc(messages.createdAt)),
        tx
          .select({
            id: attachments.id,
            contentType: attachments.contentType,
            sizeBytes: attachments.sizeBytes,
          })
          .from(attachments)
          .where(and(eq(attachments.tenantId, tenant.id), eq(attachments.caseId, row.id)))
          .orderBy(asc(attachments.createdAt)),
        tx
          .select()
          .from(feedback)
          .where(and(eq(feedback.tenantId, tenant.id), eq(feedback.caseId, row.id))),
      ]);
      const [events, threads, photos, [rating]] = read;

      const names = new Map<string, string>();
      if (!tenant.hideHandlerNames) {
        const ids = [
          ...events.filter((e) => e.actorKind === 'staff' && e.actorId).map((e) => e.actorId!),
          ...threads.filter((m) => m.authorStaffId).map((m) => m.authorStaffId!),
        ];
        if (ids.length) {
          const staff = await tx
            .select({ id: staffUsers.id, displayName: staffUsers.displayName })
            .from(staffUsers)
            .where(and(eq(staffUsers.tenantId, tenant.id), inArray(staffUsers.id, [...new Set(ids)])));
          for (const s of staff) names.set(s.id, s.displayName);
        }
      }
      return { events, threads, photos, rating, names };
    },
  );
  const department = (id: unknown) =>
    typeof id === 'string' ? (catalog.departmentNames.get(id) ?? null) : null;

  const timeline: InquiryView['timeline'] = [
    ...events.map((e) => ({
      kind: 'event' as const,
      at: e.createdAt.toISOString(),
      type: e.type,
      status: (typeof e.data.to === 'string'
        ? e.data.to
        : e.type === 'created'
          ? 'new'
          : null) as CaseStatus | null,
      department: department(e.data.departmentId ?? e.data.leadDepartmentId),
      handler: e.actorKind === 'staff' && e.actorId ? (names.get(e.actorId) ?? null) : null,
    })),
    ...threads.map((m) => ({
      kind: 'message' as const,
      at: m.createdAt.toISOString(),
      direction: m.direction as 'to_resident' | 'from_resident',
      body: m.body,
      department: department(m.departmentId),
      author: m.authorStaffId ? (names.get(m.authorStaffId) ?? null) : null,
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const category = catalog.categoriesById.get(row.categoryId);
  const status = row.status as CaseStatus;
  const until = rehandlingDeadline(tenant, row);
  const hasLocation = row.latitude !== null || row.address !== null;
  return {
    trackingCode: row.trackingCode,
    status,
    open311Status: open311Status(status),
    service: {
      code: category?.code ?? '',
      name: category ? localised(category.names, row.language, tenant.defaultLanguage) : '',
    },
    description: row.description,
    language: row.language,
    location: hasLocation ? { lat: row.latitude, long: row.longitude, address: row.address } : null,
    attributes: row.attributes,
    mediaUrls: row.mediaUrls,
    photos,
    department: department(row.leadDepartmentId),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    expectedFirstResponseAt: iso(row.firstResponseDueAt),
    expectedResolutionAt: iso(row.resolutionDueAt),
    resolvedAt: iso(row.resolvedAt),
    timeline,
    feedback: rating
      ? {
          rating: rating.rating,
          comment: rating.comment,
          requestedRehandling: rating.requestedRehandling,
          createdAt: rating.createdAt.toISOString(),
        }
      : null,
    next: {
      awaitingInformation: status === 'waiting_on_resident',
      canSendMessage: status !== 'closed' && status !== 'merged',
      canGiveFeedback: (status === 'resolved' || status === 'closed') && !rating,
      rehandlingPossibleUntil: !rating && until && until.getTime() > Date.now() ? until.toISOString() : null,
    },
  };
}
