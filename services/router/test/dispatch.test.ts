import { inCaseTransaction } from '@samtal/cases';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { InvalidTransitionError } from '@samtal/domain';
import { queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCase, NotLeadDepartmentError, ReturnLimitPassedError, returnCase } from '../src/dispatch.ts';
import { caseRow, eventsOf, insertCase, startTestWorkers, testWriter, waitFor } from './helpers.ts';

describe('return, re-dispatch and merge', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let writer: ReturnType<typeof testWriter>;
  let workers: Awaited<ReturnType<typeof startTestWorkers>>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writer = testWriter(ctx);
    workers = await startTestWorkers(ctx, writer);
  });

  afterAll(async () => {
    await workers.close();
    await writer.relay.stop();
  });

  /** A case created as intake does it — with its routing job in the outbox — and routed by the worker. */
  async function routedCase(categoryCode: string, values: Partial<typeof schema.cases.$inferInsert> = {}) {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories[categoryCode]!,
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
    return waitFor(async () => {
      const row = await caseRow(ctx.database.db, c.id);
      return row.status === 'routed' && row;
    });
  }

  /** Moves the last routing back in time, as if the department had sat on the case. */
  async function routedAgo(caseId: string, at: Date) {
    await ctx.database.db
      .update(schema.caseEvents)
      .set({ createdAt: at })
      .where(and(eq(schema.caseEvents.caseId, caseId), eq(schema.caseEvents.type, 'routed')));
  }

  it('returns a mis-routed case to triage, counting the return', async () => {
    const c = await routedCase('pothole');
    expect(c.leadDepartmentId).toBe(demo.departments.streets);
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      returnCase(unit, {
        tenantId: demo.tenantId,
        caseId: c.id,
        departmentId: demo.departments.streets!,
        reason: 'This is on a private road',
      }),
    );
    const after = await waitFor(async () => {
      const row = await caseRow(ctx.database.db, c.id);
      return row.status === 'routed' && row.leadDepartmentId !== demo.departments.streets && row;
    });
    expect(after).toMatchObject({ returnCount: 1, leadDepartmentId: demo.departments['contact-centre'] });
    const events = (await eventsOf(ctx.database.db, c.id)).filter(
      (e) => e.type === 'routed' || e.type === 'returned',
    );
    expect(events.map((e) => [e.type, e.data.via ?? e.data.reason])).toEqual([
      ['routed', 'rule'],
      ['returned', 'This is on a private road'],
      ['routed', 'triage'],
    ]);
    expect(events[1]!.visibility).toBe('internal');
  });

  it('re-dispatches to the department the returner suggests', async () => {
    const c = await routedCase('streetlight');
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      returnCase(unit, {
        tenantId: demo.tenantId,
        caseId: c.id,
        departmentId: demo.departments.streets!,
        reason: 'The lamp is in a school yard',
        suggestedDepartmentId: demo.departments.education!,
      }),
    );
    const after = await waitFor(async () => {
      const row = await caseRow(ctx.database.db, c.id);
      return row.status === 'routed' && row.leadDepartmentId === demo.departments.education && row;
    });
    expect(after.returnCount).toBe(1);
    const [last] = (await eventsOf(ctx.database.db, c.id)).filter((e) => e.type === 'routed').reverse();
    expect(last!.data).toMatchObject({ via: 'return_suggestion', reason: 'returned' });
  });

  it('refuses a return after the limit (business minutes since routing) and by another department', async () => {
    const c = await routedCase('pothole');
    const attempt = (departmentId: string, now?: Date) =>
      inCaseTransaction(writer, demo.tenantId, (unit) =>
        returnCase(unit, { tenantId: demo.tenantId, caseId: c.id, departmentId, reason: 'Not ours' }, now),
      );
    await expect(attempt(demo.departments.water!)).rejects.toBeInstanceOf(NotLeadDepartmentError);
    // Routed Friday 16:00 in Västerås; the limit is 8 business hours (08–17 weekdays).
    await routedAgo(c.id, new Date('2026-11-20T15:00:00Z'));
    // Monday 15:01 local: 1 h on Friday + 7 h 01 on Monday = 481 business minutes, over the limit.
    await expect(attempt(demo.departments.streets!, new Date('2026-11-23T14:01:00Z'))).rejects.toMatchObject({
      name: 'ReturnLimitPassedError',
      limitMinutes: 480,
      elapsedMinutes: 481,
    });
    await expect(attempt(demo.departments.streets!, new Date('2026-11-23T14:01:00Z'))).rejects.toBeInstanceOf(
      ReturnLimitPassedError,
    );
    // Nothing changed.
    expect(await caseRow(ctx.database.db, c.id)).toMatchObject({ status: 'routed', returnCount: 0 });
    // The weekend does not count against the department: Monday 14:59 local is 479 minutes.
    await attempt(demo.departments.streets!, new Date('2026-11-23T13:59:00Z'));
    expect((await caseRow(ctx.database.db, c.id)).returnCount).toBe(1);
  });

  it('refuses to return a case the department has already resolved', async () => {
    const c = await routedCase('pothole');
    await inCaseTransaction(writer, demo.tenantId, async (unit) => {
      await unit.act({ tenantId: demo.tenantId, caseId: c.id, action: 'accept', actor: { kind: 'staff' } });
      await unit.act({ tenantId: demo.tenantId, caseId: c.id, action: 'resolve', actor: { kind: 'staff' } });
    });
    await expect(
      inCaseTransaction(writer, demo.tenantId, (unit) =>
        returnCase(unit, {
          tenantId: demo.tenantId,
          caseId: c.id,
          departmentId: demo.departments.streets!,
          reason: 'Not ours',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('merges a duplicate into its parent, with an event on both, and moves earlier merges along', async () => {
    const spot = { latitude: 59.6222, longitude: 16.5111 };
    const parent = await routedCase('waste-collection', spot);
    const duplicate = await routedCase('waste-collection', { ...spot, latitude: spot.latitude + 0.0001 });
    expect(duplicate.duplicateOfCaseId).toBe(parent.id);
    const earlier = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories['waste-collection']!,
      status: 'merged',
      parentCaseId: duplicate.id,
    });
    const actor = { kind: 'staff' as const };
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      mergeCase(unit, { tenantId: demo.tenantId, duplicateId: duplicate.id, parentId: parent.id, actor }),
    );
    expect(await caseRow(ctx.database.db, duplicate.id)).toMatchObject({
      status: 'merged',
      parentCaseId: parent.id,
      duplicateOfCaseId: parent.id,
    });
    expect((await caseRow(ctx.database.db, earlier.id)).parentCaseId).toBe(parent.id);
    expect((await eventsOf(ctx.database.db, duplicate.id)).at(-1)).toMatchObject({
      type: 'merged',
      visibility: 'public',
      data: { parentCaseId: parent.id, parentTrackingCode: parent.trackingCode },
    });
    expect((await eventsOf(ctx.database.db, parent.id)).at(-1)).toMatchObject({
      type: 'duplicate_merged',
      data: { childCaseId: duplicate.id },
    });
    expect((await caseRow(ctx.database.db, parent.id)).status).toBe('routed');
    // A merged case cannot take further merges as a parent.
    const third = await routedCase('waste-collection');
    await expect(
      inCaseTransaction(writer, demo.tenantId, (unit) =>
        mergeCase(unit, { tenantId: demo.tenantId, duplicateId: third.id, parentId: duplicate.id, actor }),
      ),
    ).rejects.toMatchObject({ status: 409 });
  });
});
