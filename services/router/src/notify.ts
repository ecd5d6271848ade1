import type { CaseUnit } from '@samtal/cases';
import { type QueuePayload, queueNames } from '@samtal/queue';

export type NotificationTemplate = QueuePayload<'notifications'>['template'];

/**
 * Asks the router to tell the resident (and, for replies and resolutions, every reporter merged
 * into the case): written to the outbox in the caller's transaction, so it is sent only if the
 * change that caused it commits. For the desk and intake: `enqueueNotification(unit, …)`.
 */
export async function enqueueNotification(
  unit: CaseUnit,
  input: { tenantId: string; caseId: string; template: NotificationTemplate; messageId?: string },
): Promise<void> {
  await unit.enqueue([
    {
      tenantId: input.tenantId,
      queue: queueNames.notifications,
      payload: {
        tenantId: input.tenantId,
        caseId: input.caseId,
        template: input.template,
        ...(input.messageId ? { messageId: input.messageId } : {}),
      },
    },
  ]);
}
