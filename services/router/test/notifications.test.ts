import type { AddressInfo } from 'node:net';
import { inCaseTransaction } from '@samtal/cases';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmailSender, type SmsSender, smtpSender } from '../src/notifications/senders.ts';
import { enqueueNotification } from '../src/notify.ts';
import { caseRow, eventsOf, insertCase, startTestWorkers, testWriter, waitFor } from './helpers.ts';

interface Received {
  to: string[];
  subject: string;
  language: string;
  text: string;
}

/** Decodes what nodemailer wrote: RFC 2047 encoded words in headers, quoted-printable or base64 bodies. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(value: string): string {
  const bytes = value.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function parse(raw: string, to: string[]): Received {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    headers.set(line.slice(0, at).toLowerCase(), line.slice(at + 1).trim());
  }
  const body = rest.join('\n\n');
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return {
    to,
    subject: decodeWords(headers.get('subject') ?? ''),
    language: headers.get('content-language') ?? '',
    text: text.replace(/\r\n/g, '\n').trim(),
  };
}

describe('notifications to residents', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let writer: ReturnType<typeof testWriter>;
  let workers: Awaited<ReturnType<typeof startTestWorkers>>;
  let smtp: SMTPServer;
  let email: EmailSender;
  const inbox: Received[] = [];
  const texts: { to: string; text: string }[] = [];
  /** Recipients whose next delivery the server refuses with a temporary error. */
  const refuseOnce = new Set<string>();

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writer = testWriter(ctx);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refuseOnce.delete(address.address)) {
          const error = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          inbox.push(
            parse(
              Buffer.concat(chunks).toString('utf8'),
              session.envelope.rcptTo.map((r) => r.address),
            ),
          );
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    email = smtpSender(`smtp://127.0.0.1:${port}`, 'noreply@vasteras.demo');
    const sms: SmsSender = {
      async send(message) {
        texts.push(message);
      },
    };
    workers = await startTestWorkers(ctx, writer, { email, sms });
  });

  afterAll(async () => {
    await workers.close();
    email.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await writer.relay.stop();
  });

  const mailTo = (address: string) =>
    waitFor(
      async () =>
        inbox.filter((m) => m.to.includes(address)).length > 0 && inbox.filter((m) => m.to.includes(address)),
    );

  async function createdCase(values: Partial<typeof schema.cases.$inferInsert>) {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      ...values,
    });
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.enqueue([
        {
          tenantId: demo.tenantId,
          queue: queueNames.routing,
          payload: { tenantId: demo.tenantId, caseId: c.id, reason: 'created' },
        },
      ]),
    );
    return c;
  }

  it('acknowledges a new case by e-mail in the resident language, and records it', async () => {
    const c = await createdCase({ contactEmail: 'anna@example.org', language: 'sv' });
    const [mail] = await mailTo('anna@example.org');
    expect(mail).toMatchObject({
      subject: `Vi har tagit emot ditt ärende ${c.trackingCode}`,
      language: 'sv',
    });
    expect(mail!.text).toContain('Västerås stad');
    expect(mail!.text).toContain(c.trackingCode);
    const notified = await waitFor(async () =>
      (await eventsOf(ctx.database.db, c.id)).find((e) => e.type === 'resident_notified'),
    );
    expect(notified).toMatchObject({
      visibility: 'internal',
      data: { template: 'acknowledgement', channel: 'email', language: 'sv' },
    });
  });

  it('writes in English and Chinese, and falls back to the tenant language', async () => {
    const en = await createdCase({ contactEmail: 'john@example.org', language: 'en' });
    const zh = await createdCase({ contactEmail: 'li@example.org', language: 'zh-CN' });
    const ar = await createdCase({ contactEmail: 'amal@example.org', language: 'ar' });
    expect((await mailTo('john@example.org'))[0]!.subject).toBe(
      `We have received your inquiry ${en.trackingCode}`,
    );
    const [chinese] = await mailTo('li@example.org');
    expect(chinese!.subject).toBe(`我们已收到您的诉求 ${zh.trackingCode}`);
    expect(chinese!.text).toContain('感谢您联系');
    expect(chinese!.language).toBe('zh-CN');
    expect((await mailTo('amal@example.org'))[0]!.language).toBe('sv');
    expect(ar.language).toBe('ar');
  });

  it('sends a reply to every reporter of a merged duplicate, by e-mail or SMS, never an internal note', async () => {
    const parent = await createdCase({ contactEmail: 'parent@example.org', language: 'en' });
    await mailTo('parent@example.org');
    const child = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      status: 'merged',
      parentCaseId: parent.id,
      contactEmail: 'child@example.org',
      language: 'sv',
    });
    const byPhone = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      status: 'merged',
      parentCaseId: parent.id,
      contactPhone: '+46701234567',
      language: 'en',
    });
    const [reply] = await ctx.database.db
      .insert(schema.messages)
      .values({
        tenantId: demo.tenantId,
        caseId: parent.id,
        direction: 'to_resident',
        body: 'We will fix the hole on Tuesday.',
      })
      .returning();
    const [note] = await ctx.database.db
      .insert(schema.messages)
      .values({
        tenantId: demo.tenantId,
        caseId: parent.id,
        direction: 'internal_note',
        body: 'Contractor is slow again',
      })
      .returning();
    await inCaseTransaction(writer, demo.tenantId, async (unit) => {
      await enqueueNotification(unit, {
        tenantId: demo.tenantId,
        caseId: parent.id,
        template: 'reply',
        messageId: reply!.id,
      });
      await enqueueNotification(unit, {
        tenantId: demo.tenantId,
        caseId: parent.id,
        template: 'resolution',
        messageId: note!.id,
      });
    });
    const replies = await waitFor(async () => {
      const found = inbox.filter(
        (m) => m.subject.includes(parent.trackingCode) || m.subject.includes(child.trackingCode),
      );
      return found.length >= 5 && found;
    });
    const toParent = replies.filter((m) => m.to.includes('parent@example.org'));
    const toChild = replies.filter((m) => m.to.includes('child@example.org'));
    expect(toParent.map((m) => m.subject).sort()).toEqual(
      [
        `Reply to your inquiry ${parent.trackingCode}`,
        `We have received your inquiry ${parent.trackingCode}`,
        `Your inquiry ${parent.trackingCode} has been resolved`,
      ].sort(),
    );
    // The child's reporter reads it in Swedish, under their own tracking code, told about the merge.
    const childReply = toChild.find((m) => m.subject.startsWith('Svar'))!;
    expect(childReply.subject).toBe(`Svar på ditt ärende ${child.trackingCode}`);
    expect(childReply.text).toContain(`slagits ihop med ärende ${parent.trackingCode}`);
    expect(childReply.text).toContain('We will fix the hole on Tuesday.');
    expect(toChild.some((m) => m.subject === `Ditt ärende ${child.trackingCode} är avslutat`)).toBe(true);
    await waitFor(async () => texts.filter((t) => t.to === '+46701234567').length === 2);
    expect(texts.find((t) => t.text.includes('Reply'))!.text).toContain(byPhone.trackingCode);
    expect(JSON.stringify(inbox)).not.toContain('Contractor is slow');
    expect(JSON.stringify(texts)).not.toContain('Contractor is slow');
  });

  it('retries a refused delivery and sends each recipient one message', async () => {
    const parent = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      contactEmail: 'first@example.org',
      language: 'en',
    });
    await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      status: 'merged',
      parentCaseId: parent.id,
      contactEmail: 'second@example.org',
      language: 'en',
    });
    // The first recipient gets through; the second is refused once, so the job fails and retries.
    refuseOnce.add('second@example.org');
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      enqueueNotification(unit, { tenantId: demo.tenantId, caseId: parent.id, template: 'resolution' }),
    );
    await mailTo('second@example.org');
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.filter((m) => m.to.includes('first@example.org'))).toHaveLength(1);
    expect(inbox.filter((m) => m.to.includes('second@example.org'))).toHaveLength(1);
    expect(refuseOnce.size).toBe(0);
    expect((await caseRow(ctx.database.db, parent.id)).status).toBe('new');
  });
});
