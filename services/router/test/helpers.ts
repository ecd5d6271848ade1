import { type CaseWriter, OutboxRelay } from '@samtal/cases';
import { type Database, schema } from '@samtal/db';
import type { TestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';

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
