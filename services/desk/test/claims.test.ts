import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

describe('claiming a case', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
  });
  afterAll(() => fixture.close());

  it('lets exactly one of several agents claiming at once win; the others learn who has it', async () => {
    const agents = await Promise.all(
      ['agent@vasteras.demo', 'agent2@vasteras.demo', 'supervisor@vasteras.demo'].map((e) => fixture.as(e)),
    );
    for (let round = 0; round < 5; round++) {
      const row = await newCase(fixture, writerOf(fixture, ctx));
      await ctx.database.db.update(schema.cases).set({ claimedBy: null }).where(eq(schema.cases.id, row.id));
      const answers = await Promise.all(
        agents.flatMap((a) =>
          [1, 2].map(() =>
            fixture.app.inject({ method: 'POST', url: `/v1/cases/${row.id}/claim`, headers: a.headers }),
          ),
        ),
      );
      const [claimed] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, row.id));
      const winner = agents.find((a) => a.principal.userId === claimed!.claimedBy)!;
      expect(winner).toBeDefined();
      answers.forEach((res, i) => {
        const asker = agents[Math.floor(i / 2)]!;
        if (asker === winner) expect(res.statusCode, res.body).toBe(200);
        else {
          expect(res.statusCode, res.body).toBe(409);
          expect(res.json().claimedBy).toEqual({
            id: winner.principal.userId,
            displayName: winner.principal.displayName,
          });
        }
      });
      const events = await ctx.database.db
        .select()
        .from(schema.caseEvents)
        .where(eq(schema.caseEvents.caseId, row.id));
      expect(events.filter((e) => e.type === 'claimed')).toHaveLength(1);
    }
  });

  it('blocks another agent’s changes while the case is claimed, and lets the claimant release it', async () => {
    const anna = await fixture.as('agent@vasteras.demo');
    const ali = await fixture.as('agent2@vasteras.demo');
    const row = await newCase(fixture, writerOf(fixture, ctx), { agentId: anna.principal.userId });
    const reply = await fixture.app.inject({
      method: 'POST',
      url: `/v1/cases/${row.id}/replies`,
      headers: ali.headers,
      payload: { body: 'Hello' },
    });
    expect(reply.statusCode).toBe(409);
    expect(reply.json().claimedBy.displayName).toBe('Anna Agent');
    expect(
      (await fixture.app.inject({ method: 'POST', url: `/v1/cases/${row.id}/release`, headers: ali.headers }))
        .statusCode,
    ).toBe(409);
    expect(
      (
        await fixture.app.inject({
          method: 'POST',
          url: `/v1/cases/${row.id}/release`,
          headers: anna.headers,
        })
      ).json().claimedBy,
    ).toBeNull();
    expect(
      (
        await fixture.app.inject({ method: 'POST', url: `/v1/cases/${row.id}/claim`, headers: ali.headers })
      ).json().claimedBy.displayName,
    ).toBe('Ali Agent');
  });
});
