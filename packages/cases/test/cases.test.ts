import { businessMinutesBetween, loadCalendar } from '@samtal/business-time';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { InvalidTransitionError } from '@samtal/domain';
import { createRedis, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { Queue } from 'bullmq';
import { eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyCaseAction,
  caseEventsChannel,
  enqueueOutbox,
  inCaseTransaction,
  OutboxRelay,
} from '../src/index.ts';

describe('case changes, events and the outbox', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
  });

  async function newCase(status = 'new') {
    const [row] = await ctx.database.db
      .insert(schema.cases)
      .values({
        tenantId: demo.tenantId,
        trackingCode: `T${Math.random().toString(36).slice(2, 11)}`,
        accessTokenHash: 'x',
        channel: 'web',
        categoryId: demo.categories.pothole!,
        description: 'A hole in the road',
        language: 'sv',
        status,
      })
      .returning();
    return row!;
  }

  it('changes status through the state machine and records the event', async () => {
    const c = await newCase();
    const result = await ctx.database.db.transaction((tx) =>
      applyCaseAction(tx, {
        tenantId: demo.tenantId,
        caseId: c.id,
        action: 'resolve',
        actor: { kind: 'staff' },
        data: { resolutionCode: 'answered' },
      }),
    );
    expect(result.after.status).toBe('resolved');
    expect(result.after.resolvedAt).toBeInstanceOf(Date);
    expect(result.event).toMatchObject({
      type: 'resolved',
      visibility: 'public',
      data: { from: 'new', to: 'resolved' },
    });
  });

  it('refuses a forbidden transition and writes nothing', async () => {
    const c = await newCase('closed');
    await expect(
      ctx.database.db.transaction((tx) =>
        applyCaseAction(tx, {
          tenantId: demo.tenantId,
          caseId: c.id,
          action: 'accept',
          actor: { kind: 'staff' },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    const events = await ctx.database.db
      .select()
      .from(schema.caseEvents)
      .where(eq(schema.caseEvents.caseId, c.id));
    expect(events).toEqual([]);
  });

  it('lets exactly one of two concurrent accepts win', async () => {
    const c = await newCase('routed');
    const attempt = () =>
      ctx.database.db.transaction((tx) =>
        applyCaseAction(tx, {
          tenantId: demo.tenantId,
          caseId: c.id,
          action: 'accept',
          actor: { kind: 'staff' },
        }),
      );
    const results = await Promise.allSettled([attempt(), attempt()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('announces committed events on pub/sub and publishes the outbox after commit', async () => {
    const c = await newCase();
    const relay = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
    const subscriber = createRedis(ctx.redisUrl, 'worker');
    const heard = new Promise<string>((resolve) =>
      subscriber.on('message', (_channel, message) => resolve(message)),
    );
    await subscriber.subscribe(caseEventsChannel(ctx.queuePrefix));
    await inCaseTransaction(
      { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay },
      demo.tenantId,
      async (unit) => {
        await unit.act({ tenantId: demo.tenantId, caseId: c.id, action: 'route', actor: { kind: 'system' } });
        await unit.enqueue([
          {
            tenantId: demo.tenantId,
            queue: queueNames.routing,
            payload: { tenantId: demo.tenantId, caseId: c.id, reason: 'created' },
          },
        ]);
      },
    );
    expect(JSON.parse(await heard)).toEqual([expect.objectContaining({ caseId: c.id, type: 'routed' })]);
    const queue = new Queue(queueNames.routing, { connection: ctx.redis, prefix: ctx.queuePrefix });
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);
    const unsent = await ctx.database.db.select().from(schema.outbox).where(isNull(schema.outbox.sentAt));
    expect(unsent).toEqual([]);
    await queue.obliterate({ force: true });
    await queue.close();
    await relay.stop();
    subscriber.disconnect();
  });

  it('keeps jobs in the outbox while Redis is down and relays each exactly once when it returns', async () => {
    const c = await newCase();
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
    const deadRelay = new OutboxRelay({
      db: ctx.database.db,
      queues: { connection: deadRedis, prefix: ctx.queuePrefix },
      graceMs: 0,
      timeoutMs: 300,
    });
    const rows = await ctx.database.db.transaction((tx) =>
      enqueueOutbox(
        tx,
        Array.from({ length: 5 }, () => ({
          tenantId: demo.tenantId,
          queue: queueNames.routing,
          payload: { tenantId: demo.tenantId, caseId: c.id, reason: 'created' },
        })),
      ),
    );
    await deadRelay.publish(rows); // fails quietly
    await expect(deadRelay.sweepOnce()).rejects.toThrow();
    const [afterFailure] = await ctx.database.db
      .select()
      .from(schema.outbox)
      .where(eq(schema.outbox.id, rows[0]!.id));
    expect(afterFailure).toMatchObject({ sentAt: null, attempts: 1 });
    await deadRelay.stop();
    deadRedis.disconnect();

    // Redis is back: two relays sweep at once, and each row still becomes one job.
    const a = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
    const b = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
    const [sentA, sentB] = await Promise.all([a.drain(), b.drain()]);
    expect(sentA + sentB).toBe(5);
    await a.publish(rows); // a late fast path adds nothing new either
    const queue = new Queue(queueNames.routing, { connection: ctx.redis, prefix: ctx.queuePrefix });
    expect(await queue.getJobCountByTypes('waiting')).toBe(5);
    await queue.close();
    await a.stop();
    await b.stop();
  });

  it('pauses the SLA clock while waiting on the resident and adds the business minutes on resume', async () => {
    const c = await newCase('accepted');
    const writer = {
      db: ctx.database.db,
      redis: ctx.redis,
      prefix: ctx.queuePrefix,
      relay: new OutboxRelay({ db: ctx.database.db, queues: ctx.queues }),
    };
    await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.act({
        tenantId: demo.tenantId,
        caseId: c.id,
        action: 'request_information',
        actor: { kind: 'staff' },
      }),
    );
    const pausedAt = new Date('2026-11-20T08:00:00Z'); // a Friday, 09:00 in Stockholm
    await ctx.database.db
      .update(schema.cases)
      .set({ slaPausedAt: pausedAt })
      .where(eq(schema.cases.id, c.id));
    const { after } = await inCaseTransaction(writer, demo.tenantId, (unit) =>
      unit.act({
        tenantId: demo.tenantId,
        caseId: c.id,
        action: 'resident_replied',
        actor: { kind: 'resident' },
      }),
    );
    const calendar = (await loadCalendar(ctx.database.db, demo.tenantId))!;
    expect(after.slaPausedAt).toBeNull();
    expect(after.slaPausedMinutes).toBeGreaterThanOrEqual(8 * 60);
    expect(
      Math.abs(after.slaPausedMinutes - businessMinutesBetween(calendar, pausedAt, new Date())),
    ).toBeLessThanOrEqual(1);
    // Both actions asked the router to re-arm the clocks.
    const clockJobs = await ctx.database.db
      .select()
      .from(schema.outbox)
      .where(eq(schema.outbox.queue, queueNames.clocks));
    expect(clockJobs.map((j) => j.payload)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ caseId: c.id, reason: 'request_information' }),
        expect.objectContaining({ caseId: c.id, reason: 'resident_replied' }),
      ]),
    );
    await writer.relay.stop();
  });

  it('refuses an outbox payload that does not match the queue', async () => {
    await expect(
      ctx.database.db.transaction((tx) =>
        enqueueOutbox(tx, [
          { tenantId: demo.tenantId, queue: queueNames.routing, payload: { caseId: 'nope' } },
        ]),
      ),
    ).rejects.toThrow(/tenantId|caseId/);
  });
});
