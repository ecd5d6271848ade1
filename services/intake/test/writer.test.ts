import { randomUUID } from 'node:crypto';
import { seedDemoMunicipality } from '@samtal/db';
import { queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { describe, expect, it } from 'vitest';
import { type InquiryRows, InquiryWriter } from '../src/inquiries/writer.ts';
import { rowCounts } from './helpers.ts';

describe('InquiryWriter', () => {
  const ctx = useTestContext();

  const rows = (tenantId: string, categoryId: string, trackingCode: string): InquiryRows => {
    const id = randomUUID();
    const now = new Date().toISOString();
    return {
      id,
      tenant_id: tenantId,
      tracking_code: trackingCode,
      access_token_hash: 'x'.repeat(64),
      channel: 'web',
      category_id: categoryId,
      description: `Inquiry ${trackingCode}`,
      latitude: 59.6,
      longitude: 16.5,
      address: null,
      language: 'sv',
      attributes: { size: 'large' },
      media_urls: ['https://photos.example.org/a.jpg'],
      contact_name: null,
      contact_email: null,
      contact_phone: null,
      sensitive: false,
      first_response_due_at: now,
      resolution_due_at: null,
      api_client_id: null,
      created_at: now,
      actor_kind: 'resident',
      event_data: { channel: 'web' },
      queue: queueNames.routing,
      payload: { tenantId, caseId: id, reason: 'created' },
      demographic_groups: null,
      consent_text_version: null,
      photos: [],
      idempotency_key_hash: null,
      request_hash: null,
      stored_result: null,
    };
  };

  it('writes the inquiries of one turn together, and a conflict in the batch fails only its own inquiry', async () => {
    const demo = await seedDemoMunicipality(ctx.database.db);
    const writer = new InquiryWriter(ctx.database.sql);
    const category = demo.categories.pothole!;
    const before = await rowCounts(ctx.database);
    // Written in the same turn, so in one statement; the last two share a tracking code.
    const outcomes = await Promise.allSettled([
      writer.write(rows(demo.tenantId, category, 'AAA-0001')),
      writer.write(rows(demo.tenantId, category, 'AAA-0002')),
      writer.write(rows(demo.tenantId, category, 'AAA-0003')),
      writer.write(rows(demo.tenantId, category, 'AAA-0003')),
    ]);
    // The two with the same code are retried on their own, side by side: either may win.
    expect(outcomes.slice(0, 2).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(
      outcomes
        .slice(2)
        .map((o) => o.status)
        .sort(),
    ).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: '23505', constraint_name: 'cases_tenant_tracking_code_uq' });
    const written = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(new Set(written.map((w) => w.eventId)).size).toBe(3);
    const after = await rowCounts(ctx.database);
    expect(after.cases - before.cases).toBe(3);
    expect(after.caseEvents - before.caseEvents).toBe(3);
    expect(after.outbox - before.outbox).toBe(3);
    const [stored] = await ctx.database.sql<{ media_urls: string[]; attributes: unknown }[]>`
      select media_urls, attributes from cases where tracking_code = 'AAA-0001'`;
    expect(stored).toEqual({
      media_urls: ['https://photos.example.org/a.jpg'],
      attributes: { size: 'large' },
    });
  });
});
