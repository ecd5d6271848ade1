import type { CaseRow, CaseUnit } from '@samtal/cases';
import { schema } from '@samtal/db';
import { invalidField } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { enqueueNotification, type NotificationTemplate } from '@samtal/router';
import type { StaffPrincipal } from '@samtal/staff-auth';
import { and, eq, isNull } from 'drizzle-orm';

export interface OutgoingMessage {
  direction: 'to_resident' | 'internal_note';
  body: string;
  knowledgeArticleId?: string | null | undefined;
}

/**
 * Writes a message on a case in the caller's unit. A message to the resident is their first
 * response if none came before (which stops the first-response clock).
 */
export async function writeMessage(
  unit: CaseUnit,
  staff: StaffPrincipal,
  row: CaseRow,
  message: OutgoingMessage,
  departmentId: string | null,
) {
  const { tx } = unit;
  if (message.knowledgeArticleId) {
    const [article] = await tx
      .select({ id: schema.knowledgeArticles.id })
      .from(schema.knowledgeArticles)
      .where(
        and(
          eq(schema.knowledgeArticles.tenantId, staff.tenantId),
          eq(schema.knowledgeArticles.id, message.knowledgeArticleId),
        ),
      );
    if (!article) throw invalidField('knowledgeArticleId', 'is not an article of this municipality');
  }
  const [inserted] = await tx
    .insert(schema.messages)
    .values({
      tenantId: staff.tenantId,
      caseId: row.id,
      direction: message.direction,
      body: message.body,
      authorStaffId: staff.userId,
      departmentId,
      knowledgeArticleId: message.knowledgeArticleId ?? null,
    })
    .returning();
  let firstResponse = false;
  if (message.direction === 'to_resident') {
    const updated = await tx
      .update(schema.cases)
      .set({ firstRespondedAt: inserted!.createdAt, updatedAt: new Date() })
      .where(
        and(
          eq(schema.cases.tenantId, staff.tenantId),
          eq(schema.cases.id, row.id),
          isNull(schema.cases.firstRespondedAt),
        ),
      )
      .returning({ id: schema.cases.id });
    firstResponse = updated.length > 0;
    if (firstResponse) {
      await unit.enqueue([
        {
          tenantId: staff.tenantId,
          queue: queueNames.clocks,
          payload: { tenantId: staff.tenantId, caseId: row.id, reason: 'first_response' },
        },
      ]);
    }
  }
  return { message: inserted!, firstResponse };
}

/** Asks the router to tell the resident (and every reporter merged into the case). */
export async function notifyResident(
  unit: CaseUnit,
  row: CaseRow,
  template: NotificationTemplate,
  messageId?: string,
): Promise<void> {
  await enqueueNotification(unit, {
    tenantId: row.tenantId,
    caseId: row.id,
    template,
    ...(messageId ? { messageId } : {}),
  });
}
