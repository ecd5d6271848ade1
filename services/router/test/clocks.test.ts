import { inCaseTransaction } from '@samtal/cases';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import type { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireTimer, recomputeClocks, timerJobId } from '../src/clocks.ts';
import {
  caseRow,
  eventsOf,
  fastCategory,
  insertCase,
  startTestWorkers,
  testWriter,
  waitFor,
} from './helpers.ts';

describe('SLA clocks and timers', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let writer: ReturnType<typeof testWriter>;
  let sla: Queue;
  let workers: Awaited<ReturnType<typeof startTestWorkers>>;
  /** First response within 1 minute, yellow card at 95 % (57 s), round the clock. */
  let fast: string;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writer = testWriter(ctx);
    sla = openQueue(ctx.queues, queueNames.sla);
    fast = await fastCategory(ctx.database.db, demo.tenantId, {
      firstResponseMinutes: 1,
      resolutionMinutes: 60,
      warningShare: 0.95,
    });
    workers = await startTestWorkers(ctx, writer);
  });

  afterAll(async () => {
    await workers.close();
    await sla.close();
    await writer.relay.stop();
  });

  const cards = async (caseId: string) =>
    (await eventsOf(ctx.database.db, caseId)).filter(
      (e) => e.type === 'sla_warning' || e.type === 'sla_breach',
    );

  it('stores due times from the category policy in its calendar and arms the timers once', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      createdAt: new Date('2027-02-05T14:00:00Z'), // a Friday, 15:00 in Västerås
    });
    const ref = { tenantId: demo.tenantId, caseId: c.id };
    await recomputeClocks(ctx.database.db, sla, ref);
    await recomputeClocks(ctx.database.db, sla, ref); // a retried clocks job
    const after = await caseRow(ctx.database.db, c.id);
    // Friday 2 h + Monday 7 h; ten working days end on the second Friday after.
    expect(after.firstResponseDueAt?.toISOString()).toBe('2027-02-08T14:00:00.000Z');
    expect(after.resolutionDueAt?.toISOString()).toBe('2027-02-19T14:00:00.000Z');
    const jobs = (await sla.getJobs(['delayed'])).filter((j) => j.data.caseId === c.id);
    expect(jobs.map((j) => j.id).sort()).toEqual(
      [
        timerJobId(c.id, { kind: 'first_response', level: 'warning', dueAt: after.firstResponseDueAt! }),
        timerJobId(c.id, { kind: 'first_response', level: 'breach', dueAt: after.firstResponseDueAt! }),
        timerJobId(c.id, { kind: 'resolution', level: 'warning', dueAt: after.resolutionDueAt! }),
        timerJobId(c.id, { kind: 'resolution', level: 'breach', dueAt: after.resolutionDueAt! }),
      ].sort(),
    );
    const warning = jobs.find((j) => j.id!.includes('first_response.warning'))!;
    // Yellow card at 75 % of nine hours: Friday 2 h + Monday 4 h 45 → 12:45 local.
    expect(warning.timestamp + warning.delay).toBeCloseTo(new Date('2027-02-08T11:45:00Z').getTime(), -4);
  });

  it('raises each card once, however often the timers are re-armed', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      createdAt: new Date('2026-10-30T14:00:00Z'), // long past: every timer fires at once
    });
    const ref = { tenantId: demo.tenantId, caseId: c.id };
    const rearm = () =>
      waitFor(() =>
        recomputeClocks(ctx.database.db, sla, ref).then(
          () => true,
          () => false, // a timer is running right now; the clocks worker would retry
        ),
      );
    await rearm();
    await waitFor(async () => (await cards(c.id)).length === 4);
    await rearm();
    await rearm();
    await new Promise((r) => setTimeout(r, 500));
    expect((await cards(c.id)).map((e) => [e.type, e.data.kind, e.visibility]).sort()).toEqual(
      [
        ['sla_breach', 'first_response', 'internal'],
        ['sla_breach', 'resolution', 'internal'],
        ['sla_warning', 'first_response', 'internal'],
        ['sla_warning', 'resolution', 'internal'],
      ].sort(),
    );
  });

  it('raises the yellow card and then the red card at the right moments, announced live', async () => {
    const createdAt = new Date(Date.now() - 55_000); // warning due in ~2 s, breach in ~5 s
    const c = await insertCase(ctx.database.db, { tenantId: demo.tenantId, categoryId: fast, createdAt });
    const subscriber = ctx.redis.duplicate();
    const heard: string[] = [];
    subscriber.on('message', (_channel, message) => {
      for (const e of JSON.parse(message) as { caseId: string; type: string }[])
        if (e.caseId === c.id) heard.push(e.type);
    });
    await subscriber.subscribe(`${ctx.queuePrefix}:case-events`);
    // As the desk or the router would: an action that moves the clocks (routing) enqueues a clocks job.
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.act({ tenantId: demo.tenantId, caseId: c.id, action: 'route', actor: { kind: 'system' } }),
    );
    const warnAt = createdAt.getTime() + 57_000;
    const dueAt = createdAt.getTime() + 60_000;
    await waitFor(async () => (await cards(c.id)).length >= 2, 15_000);
    const [warning, breach] = (await cards(c.id)).filter((e) => e.data.kind === 'first_response');
    expect(warning!.type).toBe('sla_warning');
    expect(breach!.type).toBe('sla_breach');
    expect(breach!.data.dueAt).toBe(new Date(dueAt).toISOString());
    // Not early, and promptly after (delayed jobs, no polling).
    expect(warning!.createdAt.getTime()).toBeGreaterThanOrEqual(warnAt - 50);
    expect(warning!.createdAt.getTime()).toBeLessThan(warnAt + 1500);
    expect(breach!.createdAt.getTime()).toBeGreaterThanOrEqual(dueAt - 50);
    expect(breach!.createdAt.getTime()).toBeLessThan(dueAt + 1500);
    await waitFor(async () => heard.includes('sla_breach'));
    expect(heard).toEqual(expect.arrayContaining(['routed', 'sla_warning', 'sla_breach']));
    subscriber.disconnect();
  });

  it('raises no card while the clock is paused, and catches up when the resident replies', async () => {
    const createdAt = new Date(Date.now() - 56_000); // breach due in ~4 s
    const c = await insertCase(ctx.database.db, { tenantId: demo.tenantId, categoryId: fast, createdAt });
    const ref = { tenantId: demo.tenantId, caseId: c.id };
    await recomputeClocks(ctx.database.db, sla, ref);
    await waitFor(async () => (await cards(c.id)).some((e) => e.type === 'sla_warning'));
    // The officer asks the resident something: the clock stops before the deadline.
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.act({ ...ref, action: 'request_information', actor: { kind: 'staff' } }),
    );
    const dueAt = (await caseRow(ctx.database.db, c.id)).firstResponseDueAt!;
    await new Promise((r) => setTimeout(r, dueAt.getTime() - Date.now() + 1000));
    expect((await cards(c.id)).map((e) => e.type)).toEqual(['sla_warning']);

    // The resident answers a few seconds later (under a business minute: the deadline stays put,
    // and is now past) — the red card comes at once.
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.act({ ...ref, action: 'resident_replied', actor: { kind: 'resident' } }),
    );
    await waitFor(async () => (await cards(c.id)).some((e) => e.type === 'sla_breach'));
  });

  it('moves the deadline by the paused minutes, and old timers then do nothing', async () => {
    const c = await insertCase(ctx.database.db, { tenantId: demo.tenantId, categoryId: fast });
    const ref = { tenantId: demo.tenantId, caseId: c.id };
    await recomputeClocks(ctx.database.db, sla, ref);
    const before = (await caseRow(ctx.database.db, c.id)).firstResponseDueAt!;
    await ctx.database.db.update(schema.cases).set({ slaPausedMinutes: 2 }).where(eq(schema.cases.id, c.id));
    await recomputeClocks(ctx.database.db, sla, ref);
    const after = (await caseRow(ctx.database.db, c.id)).firstResponseDueAt!;
    expect(after.getTime() - before.getTime()).toBe(2 * 60_000);
    const stale = {
      ...ref,
      kind: 'first_response' as const,
      level: 'breach' as const,
      dueAt: before.toISOString(),
    };
    expect(await fireTimer(writer, stale)).toEqual({ outcome: 'ignored', why: 'due time moved' });
  });

  it('ignores timers of a stopped or paused clock, and raises each card once', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
    });
    const ref = { tenantId: demo.tenantId, caseId: c.id };
    await ctx.database.db.transaction(async (tx) => {
      await tx
        .update(schema.cases)
        .set({ firstResponseDueAt: new Date('2030-01-01T00:00:00Z') })
        .where(eq(schema.cases.id, c.id));
    });
    const timer = {
      ...ref,
      kind: 'first_response' as const,
      level: 'warning' as const,
      dueAt: '2030-01-01T00:00:00.000Z',
    };
    const [first, second] = await Promise.all([fireTimer(writer, timer), fireTimer(writer, timer)]);
    expect([first!.outcome, second!.outcome].sort()).toEqual(['ignored', 'raised']);
    await ctx.database.db
      .update(schema.cases)
      .set({ slaPausedAt: new Date() })
      .where(eq(schema.cases.id, c.id));
    expect(await fireTimer(writer, { ...timer, level: 'breach' })).toEqual({
      outcome: 'ignored',
      why: 'clock paused',
    });
    await ctx.database.db
      .update(schema.cases)
      .set({ slaPausedAt: null, firstRespondedAt: new Date() })
      .where(eq(schema.cases.id, c.id));
    expect(await fireTimer(writer, { ...timer, level: 'breach' })).toEqual({
      outcome: 'ignored',
      why: 'clock stopped',
    });
  });
});
