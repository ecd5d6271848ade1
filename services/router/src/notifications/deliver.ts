import { type CaseWriter, inCaseTransaction } from '@samtal/cases';
import { type Executor, schema } from '@samtal/db';
import type { QueuePayload } from '@samtal/queue';
import type { Job } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import type { EmailSender, SmsSender } from './senders.ts';
import { render } from './templates.ts';

/** Templates that also go to the reporters of duplicates merged into the case. */
const sharedWithMergedReporters = new Set(['reply', 'resolution']);

export interface NotificationDeps {
  writer: CaseWriter;
  email: EmailSender;
  sms: SmsSender;
}

interface Recipient {
  caseId: string;
  trackingCode: string;
  language: string;
  email: string | null;
  phone: string | null;
  mergedInto?: string;
}

async function recipients(tx: Executor, payload: QueuePayload<'notifications'>) {
  const { cases: c, tenants: t } = schema;
  const [main] = await tx
    .select({
      caseId: c.id,
      trackingCode: c.trackingCode,
      language: c.language,
      email: c.contactEmail,
      phone: c.contactPhone,
      anonymisedAt: c.anonymisedAt,
      municipality: t.name,
      defaultLanguage: t.defaultLanguage,
    })
    .from(c)
    .innerJoin(t, eq(t.id, c.tenantId))
    .where(and(eq(c.tenantId, payload.tenantId), eq(c.id, payload.caseId)));
  if (!main) return undefined;
  const list: Recipient[] = main.anonymisedAt ? [] : [main];
  if (sharedWithMergedReporters.has(payload.template)) {
    const children = await tx
      .select({
        caseId: c.id,
        trackingCode: c.trackingCode,
        language: c.language,
        email: c.contactEmail,
        phone: c.contactPhone,
      })
      .from(c)
      .where(
        and(eq(c.tenantId, payload.tenantId), eq(c.parentCaseId, payload.caseId), eq(c.status, 'merged')),
      );
    list.push(...children.map((child) => ({ ...child, mergedInto: main.trackingCode })));
  }
  return { main, list };
}

async function messageBody(
  tx: Executor,
  payload: QueuePayload<'notifications'>,
): Promise<string | undefined> {
  if (!payload.messageId) return undefined;
  const [message] = await tx
    .select({ body: schema.messages.body, direction: schema.messages.direction })
    .from(schema.messages)
    .where(
      and(
        eq(schema.messages.tenantId, payload.tenantId),
        eq(schema.messages.caseId, payload.caseId),
        eq(schema.messages.id, payload.messageId),
      ),
    );
  // Internal notes never leave the municipality.
  return message?.direction === 'to_resident' ? message.body : undefined;
}

/**
 * Sends one notification to every recipient by e-mail (else SMS). Deliveries already made are
 * remembered in the job's progress, so a retry after a failure sends only what is still missing;
 * each delivery leaves an internal `resident_notified` event on the recipient's case.
 */
export async function deliverNotification(
  deps: NotificationDeps,
  payload: QueuePayload<'notifications'>,
  job?: Pick<Job, 'progress' | 'updateProgress'>,
): Promise<{ sent: string[] }> {
  const { db } = deps.writer;
  const found = await recipients(db, payload);
  if (!found) return { sent: [] };
  const message = await messageBody(db, payload);
  const progress = job?.progress as { sent?: string[] } | undefined;
  const sent = new Set(progress?.sent ?? []);
  for (const r of found.list) {
    if (sent.has(r.caseId) || (!r.email && !r.phone)) continue;
    const rendered = render(payload.template, [r.language, found.main.defaultLanguage], {
      trackingCode: r.trackingCode,
      municipality: found.main.municipality,
      ...(message ? { message } : {}),
      ...(r.mergedInto ? { mergedInto: r.mergedInto } : {}),
    });
    const channel = r.email ? 'email' : 'sms';
    if (r.email) {
      await deps.email.send({ to: r.email, ...rendered });
    } else {
      await deps.sms.send({ to: r.phone!, text: `${rendered.subject}\n${rendered.text}` });
    }
    sent.add(r.caseId);
    await job?.updateProgress({ sent: [...sent] });
    await inCaseTransaction(deps.writer, payload.tenantId, (unit) =>
      unit.record([
        {
          tenantId: payload.tenantId,
          caseId: r.caseId,
          type: 'resident_notified',
          actor: { kind: 'system' },
          data: {
            template: payload.template,
            channel,
            language: rendered.language,
            aboutCaseId: payload.caseId,
          },
        },
      ]),
    );
  }
  return { sent: [...sent] };
}
