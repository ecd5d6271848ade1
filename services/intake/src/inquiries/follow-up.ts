import { type CaseWriter, inCaseTransaction, lockCase } from '@samtal/cases';
import { schema } from '@samtal/db';
import type { CaseStatus } from '@samtal/domain';
import { ConflictProblem, invalidField } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import type { IntakeContext } from '../context.ts';
import type { Tenant } from '../tenants.ts';
import { rehandlingDeadline } from './view.ts';

function writer(ctx: IntakeContext): CaseWriter {
  return { db: ctx.db.db, redis: ctx.announcer, prefix: ctx.prefix, relay: ctx.relay };
}

/**
 * A resident's message on their inquiry. When the municipality is waiting on the resident, the
 * message is the answer: the case resumes (`resident_replied`) and the SLA clock runs again.
 */
export async function residentMessage(
  ctx: IntakeContext,
  tenant: Tenant,
  caseId: string,
  body: string,
): Promise<{ status: CaseStatus; resumed: boolean; createdAt: string }> {
  return inCaseTransaction(writer(ctx), tenant.id, async (unit) => {
    const row = await lockCase(unit.tx, tenant.id, caseId);
    if (row.status === 'closed' || row.status === 'merged') {
      throw new ConflictProblem(`This inquiry is ${row.status}; submit a new inquiry instead`, {
        errors: [{ field: 'body', message: `cannot be added to a ${row.status} inquiry` }],
      });
    }
    const [message] = await unit.tx
      .insert(schema.messages)
      .values({ tenantId: tenant.id, caseId, direction: 'from_resident', body })
      .returning({ id: schema.messages.id, createdAt: schema.messages.createdAt });
    await unit.record([
      {
        tenantId: tenant.id,
        caseId,
        type: 'resident_message',
        actor: { kind: 'resident' },
        data: { messageId: message!.id },
      },
    ]);
    let status = row.status as CaseStatus;
    const resumed = status === 'waiting_on_resident';
    if (resumed) {
      const { after } = await unit.act({
        tenantId: tenant.id,
        caseId,
        action: 'resident_replied',
        actor: { kind: 'resident' },
        data: { messageId: message!.id },
      });
      status = after.status as CaseStatus;
    }
    return { status, resumed, createdAt: message!.createdAt.toISOString() };
  });
}

/**
 * The resident's rating (12345's return visit): once, after resolution. A low rating may ask for
 * the case to be handled again within the tenant's window; the case then reopens and is routed anew.
 */
export async function residentFeedback(
  ctx: IntakeContext,
  tenant: Tenant,
  caseId: string,
  input: { rating: number; comment?: string | undefined; requestRehandling: boolean },
): Promise<{ rating: number; requestedRehandling: boolean; status: CaseStatus }> {
  if (input.requestRehandling && input.rating > 2) {
    throw invalidField('requestRehandling', 'is possible only with a rating of 1 or 2');
  }
  return inCaseTransaction(writer(ctx), tenant.id, async (unit) => {
    const row = await lockCase(unit.tx, tenant.id, caseId);
    if (row.status !== 'resolved' && row.status !== 'closed') {
      throw new ConflictProblem('Feedback is possible once the inquiry is resolved', {
        errors: [{ field: 'rating', message: `cannot be given while the inquiry is ${row.status}` }],
      });
    }
    if (input.requestRehandling) {
      const until = rehandlingDeadline(tenant, row);
      if (!until || until.getTime() < Date.now()) {
        throw new ConflictProblem(
          `Re-handling can be requested within ${tenant.reopenWindowDays} days of resolution`,
          {
            errors: [{ field: 'requestRehandling', message: 'the window for re-handling has passed' }],
          },
        );
      }
    }
    const inserted = await unit.tx
      .insert(schema.feedback)
      .values({
        tenantId: tenant.id,
        caseId,
        rating: input.rating,
        comment: input.comment || null,
        requestedRehandling: input.requestRehandling,
      })
      .onConflictDoNothing()
      .returning({ rating: schema.feedback.rating });
    if (!inserted.length) {
      throw new ConflictProblem('This inquiry has already been rated', {
        errors: [{ field: 'rating', message: 'was already given for this inquiry' }],
      });
    }
    await unit.record([
      {
        tenantId: tenant.id,
        caseId,
        type: 'feedback_received',
        actor: { kind: 'resident' },
        data: { rating: input.rating, requestedRehandling: input.requestRehandling },
      },
    ]);
    let status = row.status as CaseStatus;
    if (input.requestRehandling) {
      const { after } = await unit.act({
        tenantId: tenant.id,
        caseId,
        action: 'reopen',
        actor: { kind: 'resident' },
        data: { reason: 'resident_dissatisfied', rating: input.rating },
      });
      status = after.status as CaseStatus;
      await unit.enqueue([
        {
          tenantId: tenant.id,
          queue: queueNames.routing,
          payload: { tenantId: tenant.id, caseId, reason: 'reopened' },
        },
      ]);
    }
    return { rating: input.rating, requestedRehandling: input.requestRehandling, status };
  });
}
