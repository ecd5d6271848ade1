import { type CaseWriter, OutboxRelay } from '@samtal/cases';
import { type Database, schema } from '@samtal/db';
import { createRedis } from '@samtal/queue';
import type { TestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { JobCounters } from '../src/metrics.ts';
import { loggingEmailSender, loggingSmsSender } from '../src/notifications/senders.ts';
import { startRouterWorkers } from '../src/workers.ts';

export type NewCase = Partial<typeof schema.cases.$inferInsert> & { tenantId: string; categoryId: string };

let sequence = 0;

/** Inserts a case as intake would leave it (status `new`), without the routing job. */
export async function insertCase(db: Database, values: NewCase) {
  sequence += 1;
  const [row] = await db
    .insert(schema.cases)
    .values({
      trackingCode: `T${Date.now().toString(36)}${sequence}${Math.random().toString(36).slice(2, 6)}`,
      accessTokenHash: 'x',
      channel: 'web',
      description: 'Something is wrong',
      language: 'sv',
      ...values,
    })
    .returning();
  return row!;
}

export function testWriter(ctx: TestContext): CaseWriter & { relay: OutboxRelay } {
  return {
    db: ctx.database.db,
    redis: ctx.redis,
    prefix: ctx.queuePrefix,
    relay: new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 }),
  };
}

export async function eventsOf(db: Database, caseId: string) {
  return db
    .select()
    .from(schema.caseEvents)
    .where(eq(schema.caseEvents.caseId, caseId))
    .orderBy(schema.caseEvents.id);
}

export async function caseRow(db: Database, caseId: string) {
  const [row] = await db.select().from(schema.cases).where(eq(schema.cases.id, caseId));
  return row!;
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts the router's workers on this test file's database and queue prefix. */
export async function startTestWorkers(
  ctx: TestContext,
  writer: CaseWriter,
  overrides: Partial<Parameters<typeof startRouterWorkers>[0]> = {},
) {
  const workerRedis = createRedis(ctx.redisUrl, 'worker');
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  const workers = startRouterWorkers({
    writer,
    workerQueues: { connection: workerRedis, prefix: ctx.queuePrefix },
    queues: ctx.queues,
    email: loggingEmailSender(log),
    sms: loggingSmsSender(log),
    settings: {
      concurrency: { routing: 5, clocks: 5, sla: 5, notifications: 2 },
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    },
    counters: new JobCounters(),
    log,
    ...overrides,
  });
  await Promise.all(workers.workers.map((w) => w.waitUntilReady()));
  return {
    ...workers,
    async close() {
      await workers.close();
      workerRedis.disconnect();
    },
  };
}

/** A category whose SLA counts round the clock with targets of minutes, for timers that fire in seconds. */
export async function fastCategory(
  db: Database,
  tenantId: string,
  policy: { firstResponseMinutes: number; resolutionMinutes: number; warningShare: number },
) {
  const [calendar] = await db
    .insert(schema.businessCalendars)
    .values({
      tenantId,
      name: '24/7 test',
      timeZone: 'Europe/Stockholm',
      openingHours: Object.fromEntries(
        ['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ open: '00:00', close: '24:00' }]]),
      ),
    })
    .returning();
  const code = `fast-${Math.random().toString(36).slice(2, 8)}`;
  const [sla] = await db
    .insert(schema.slaPolicies)
    .values({ tenantId, code, name: code, calendarId: calendar!.id, ...policy })
    .returning();
  const [category] = await db
    .insert(schema.categories)
    .values({ tenantId, code, names: { en: code }, slaPolicyId: sla!.id })
    .returning();
  return category!.id;
}
