import { createDb, type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTail } from '../src/live/tail.ts';
import { newCase, sleep } from './live-helpers.ts';

describe('the event tail under concurrent, out-of-order commits', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  // Writers on a pool of their own, so many transactions are open at once.
  let writers: ReturnType<typeof createDb>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writers = createDb(ctx.databaseUrl, { max: 20, applicationName: 'tail-writers' });
  });
  afterAll(() => writers.close());

  it('delivers every committed event exactly once, in id order, while the writers race', async () => {
    const c = await newCase(ctx, demo);
    const delivered: number[] = [];
    const tail = new EventTail({
      sql: ctx.database.sql,
      deliver: (events) => delivered.push(...events.map((e) => e.id)),
      pageSize: 25,
    });
    await tail.start();

    let writing = true;
    const polling = (async () => {
      while (writing) {
        await tail.poll();
        await sleep(1);
      }
    })();

    // 300 transactions on 20 connections: each takes an id, then waits 0–15 ms before it commits,
    // so later ids often commit first. A tenth roll back; their ids must simply be skipped.
    const committed: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        writers.db
          .transaction(async (tx) => {
            const [row] = await tx
              .insert(schema.caseEvents)
              .values({ tenantId: demo.tenantId, caseId: c.id, type: `stress_${i}`, actorKind: 'system' })
              .returning({ id: schema.caseEvents.id });
            await sleep(Math.floor(Math.random() * 16));
            if (i % 10 === 0) tx.rollback();
            return row!.id;
          })
          .then(
            (id) => committed.push(id),
            () => {},
          ),
      ),
    );
    writing = false;
    await polling;
    await tail.poll();
    await tail.stop();

    expect(committed.length).toBe(270);
    expect(delivered).toEqual([...committed].sort((a, b) => a - b));
  }, 60_000);
});
