import { type CaseWriter, inCaseTransaction } from '@samtal/cases';
import { createContactCase, type NewContactCase } from '../src/cases/create.ts';
import type { deskFixture } from './helpers.ts';

export type Fixture = Awaited<ReturnType<typeof deskFixture>>;

/** Inserts a case the way a registered phone contact does, without going through HTTP. */
export async function newCase(
  fixture: Fixture,
  writer: CaseWriter,
  overrides: Partial<NewContactCase> & { tenantId?: string } = {},
) {
  return inCaseTransaction(writer, overrides.tenantId ?? fixture.demo.tenantId, async (unit) => {
    const { row } = await createContactCase(unit, {
      tenantId: overrides.tenantId ?? fixture.demo.tenantId,
      channel: 'phone',
      categoryCode: 'streetlight',
      description: 'The street light outside number 12 is out',
      attributes: {},
      contact: { name: 'Resident', email: 'resident@example.org' },
      agentId: overrides.agentId ?? (await fixture.as('agent@vasteras.demo')).principal.userId,
      dispatch: false,
      ...overrides,
    });
    return row;
  });
}

/** The writer the fixture's app uses (same database, Redis and relay). */
export function writerOf(
  fixture: Fixture,
  ctx: { database: { db: CaseWriter['db'] }; redis: CaseWriter['redis']; queuePrefix: string },
): CaseWriter {
  return { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay: fixture.relay };
}
