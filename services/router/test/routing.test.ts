import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { departmentQueueName, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { Queue } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeFromJob } from '../src/routing.ts';
import { caseRow, eventsOf, insertCase, testWriter } from './helpers.ts';

describe('routing worker', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let writer: ReturnType<typeof testWriter>;
  let districts: Record<string, string>;
  let jobSeq = 0;
  const jobId = () => `test-job-${++jobSeq}`;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writer = testWriter(ctx);
    const d = demo.departments;
    await ctx.database.db.insert(schema.routingRules).values([
      {
        tenantId: demo.tenantId,
        name: 'Potholes on cycle paths: environment first (before the streets rule)',
        position: 1,
        conditions: { categories: ['pothole'], keywords: ['cykelbana'] },
        leadDepartmentId: d.environment!,
      },
      {
        tenantId: demo.tenantId,
        name: 'Noise in Hacksta',
        position: 50,
        conditions: { categories: ['noise'], districts: ['hacksta'] },
        leadDepartmentId: d.waste!,
        priority: 'high',
      },
      {
        tenantId: demo.tenantId,
        name: 'School questions in English',
        position: 60,
        conditions: { categories: ['school'], languages: ['en'] },
        leadDepartmentId: d.education!,
      },
      {
        tenantId: demo.tenantId,
        name: 'Phoned-in general questions about parking',
        position: 70,
        conditions: { categories: ['question'], channels: ['phone'], keywords: ['parkering'] },
        leadDepartmentId: d.streets!,
      },
      {
        tenantId: demo.tenantId,
        name: 'Inactive rule that would catch everything',
        position: 0,
        active: false,
        conditions: {},
        leadDepartmentId: d.social!,
      },
    ]);
    const rows = await ctx.database.db
      .select()
      .from(schema.districts)
      .where(eq(schema.districts.tenantId, demo.tenantId));
    districts = Object.fromEntries(rows.map((r) => [r.code, r.id]));
  });

  afterAll(async () => {
    await writer.relay.stop();
  });

  const route = (
    caseId: string,
    reason: 'created' | 'returned' | 'reopened' | 'reroute' = 'created',
    id = jobId(),
  ) => routeFromJob(writer, { tenantId: demo.tenantId, caseId, reason }, id);

  async function outboxFor(caseId: string) {
    const rows = await ctx.database.db.select().from(schema.outbox);
    return rows.filter((r) => r.payload.caseId === caseId);
  }

  it('routes by category to the rule department, with the rule priority, naming the rule', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories['water-leak']!,
    });
    const result = await route(c.id);
    expect(result).toMatchObject({
      outcome: 'routed',
      leadDepartmentId: demo.departments.water,
      triage: false,
    });
    const after = await caseRow(ctx.database.db, c.id);
    expect(after).toMatchObject({
      status: 'routed',
      leadDepartmentId: demo.departments.water,
      priority: 'urgent',
    });
    const events = await eventsOf(ctx.database.db, c.id);
    expect(events.map((e) => e.type)).toEqual(['routed']);
    expect(events[0]).toMatchObject({
      visibility: 'public',
      actorKind: 'system',
      data: { via: 'rule', ruleName: 'Vattenläckor till VA, brådskande', from: 'new', to: 'routed' },
    });
    const outbox = await outboxFor(c.id);
    expect(outbox.map((o) => o.queue).sort()).toEqual(
      [departmentQueueName(demo.departments.water!), queueNames.clocks].sort(),
    );
    const job = outbox.find((o) => o.queue.startsWith('department.'))!;
    // Ids only: nothing personal travels through Redis.
    expect(job.payload).toEqual({
      tenantId: demo.tenantId,
      caseId: c.id,
      departmentId: demo.departments.water,
      role: 'lead',
    });
  });

  it('adds assisting departments and queues the case for each of them', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories['violence-support']!,
    });
    await route(c.id);
    const assisting = await ctx.database.db
      .select()
      .from(schema.caseAssistingDepartments)
      .where(eq(schema.caseAssistingDepartments.caseId, c.id));
    expect(assisting.map((a) => a.departmentId)).toEqual([demo.departments.education]);
    expect(await caseRow(ctx.database.db, c.id)).toMatchObject({
      leadDepartmentId: demo.departments.social,
      priority: 'high',
    });
    const jobs = (await outboxFor(c.id)).filter((o) => o.queue.startsWith('department.'));
    expect(jobs.map((j) => [j.queue, j.payload.role]).sort()).toEqual(
      [
        [departmentQueueName(demo.departments.social!), 'lead'],
        [departmentQueueName(demo.departments.education!), 'assisting'],
      ].sort(),
    );
  });

  it('applies rules in position order (a keyword rule before the category rule)', async () => {
    const onCyclePath = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      description: 'Djupt hål på Cykelbanan vid bron',
    });
    const onRoad = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      description: 'Djupt hål i körbanan',
    });
    expect(await route(onCyclePath.id)).toMatchObject({ leadDepartmentId: demo.departments.environment });
    expect(await route(onRoad.id)).toMatchObject({ leadDepartmentId: demo.departments.streets });
  });

  it('routes by district: point in the district polygon, or the district of the address', async () => {
    const inHacksta = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.noise!,
      latitude: 59.626,
      longitude: 16.507,
    });
    const hackstaAddress = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.noise!,
      districtId: districts.hacksta!,
    });
    const inCentrum = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.noise!,
      latitude: 59.611,
      longitude: 16.545,
    });
    expect(await route(inHacksta.id)).toMatchObject({ leadDepartmentId: demo.departments.waste });
    expect(await route(hackstaAddress.id)).toMatchObject({ leadDepartmentId: demo.departments.waste });
    expect(await route(inCentrum.id)).toMatchObject({ triage: true });
    expect((await caseRow(ctx.database.db, inHacksta.id)).priority).toBe('high');
  });

  it('routes by language and by channel with keywords', async () => {
    const english = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.school!,
      language: 'en',
    });
    const swedish = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.school!,
    });
    const phoned = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.question!,
      channel: 'phone',
      description: 'Fråga om Parkeringstillstånd',
    });
    const written = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.question!,
      channel: 'web',
      description: 'Fråga om parkeringstillstånd',
    });
    expect(await route(english.id)).toMatchObject({ leadDepartmentId: demo.departments.education });
    expect(await route(swedish.id)).toMatchObject({ triage: true });
    expect(await route(phoned.id)).toMatchObject({ leadDepartmentId: demo.departments.streets });
    expect(await route(written.id)).toMatchObject({ triage: true });
  });

  it('sends an unmatched case to the contact centre triage queue, suggesting the category default', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.noise!,
    });
    const result = await route(c.id);
    expect(result).toMatchObject({ outcome: 'routed', triage: true, ruleId: null });
    expect((await caseRow(ctx.database.db, c.id)).leadDepartmentId).toBe(demo.departments['contact-centre']);
    const [event] = await eventsOf(ctx.database.db, c.id);
    expect(event!.data).toMatchObject({
      via: 'triage',
      ruleId: null,
      suggestedDepartmentId: demo.departments.environment,
    });
    const jobs = (await outboxFor(c.id)).filter((o) => o.queue.startsWith('department.'));
    expect(jobs.map((j) => j.queue)).toEqual([departmentQueueName(demo.departments['contact-centre']!)]);
  });

  it('is idempotent: a retried or duplicated job changes nothing the second time', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
    });
    const id = jobId();
    // The same job delivered three times at once, and another job for the same creation.
    const results = await Promise.all([
      route(c.id, 'created', id),
      route(c.id, 'created', id),
      route(c.id, 'created', id),
    ]);
    expect(results.filter((r) => r.outcome === 'routed')).toHaveLength(1);
    expect(await route(c.id, 'created')).toEqual({ outcome: 'skipped', why: 'case is routed' });
    expect((await eventsOf(ctx.database.db, c.id)).filter((e) => e.type === 'routed')).toHaveLength(1);
    expect((await outboxFor(c.id)).filter((o) => o.queue.startsWith('department.'))).toHaveLength(1);

    // A re-route request applies once per request, even when its job is delivered twice.
    const reroute = jobId();
    expect(await route(c.id, 'reroute', reroute)).toMatchObject({ outcome: 'routed' });
    expect(await route(c.id, 'reroute', reroute)).toEqual({
      outcome: 'skipped',
      why: 'already routed by this job',
    });
    expect((await eventsOf(ctx.database.db, c.id)).filter((e) => e.type === 'routed')).toHaveLength(2);
  });

  it('acknowledges receipt to residents who left a contact, and only on creation', async () => {
    const withEmail = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      contactEmail: 'resident@example.org',
    });
    const anonymous = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
    });
    await route(withEmail.id);
    await route(anonymous.id);
    const acks = (await outboxFor(withEmail.id)).filter((o) => o.queue === queueNames.notifications);
    expect(acks.map((a) => a.payload)).toEqual([
      { tenantId: demo.tenantId, caseId: withEmail.id, template: 'acknowledgement' },
    ]);
    expect((await outboxFor(anonymous.id)).filter((o) => o.queue === queueNames.notifications)).toEqual([]);
  });

  it('flags a likely duplicate: same category, open, within the radius and the time window', async () => {
    const at = { latitude: 59.6102, longitude: 16.5441 };
    const original = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      ...at,
      createdAt: new Date(Date.now() - 3600_000),
    });
    await route(original.id);
    // ~22 m north: the same lamp post.
    const near = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      latitude: at.latitude + 0.0002,
      longitude: at.longitude,
    });
    // ~110 m away: another lamp post (radius is 50 m).
    const far = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      latitude: at.latitude + 0.001,
      longitude: at.longitude,
    });
    // Same spot, other category.
    const otherCategory = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      ...at,
    });
    expect(await route(near.id)).toMatchObject({ duplicateOfCaseId: original.id });
    expect(await route(far.id)).toMatchObject({ duplicateOfCaseId: null });
    expect(await route(otherCategory.id)).toMatchObject({ duplicateOfCaseId: null });
    expect((await caseRow(ctx.database.db, near.id)).duplicateOfCaseId).toBe(original.id);
    const events = await eventsOf(ctx.database.db, near.id);
    expect(events.map((e) => [e.type, e.visibility])).toEqual([
      ['duplicate_suspected', 'internal'],
      ['routed', 'public'],
    ]);
    expect(events[0]!.data).toMatchObject({ duplicateOfCaseId: original.id, distanceMetres: 22 });

    // Outside the window (72 h), or closed: not a duplicate.
    const oldSpot = { latitude: 59.62, longitude: 16.53 };
    const old = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      ...oldSpot,
      createdAt: new Date(Date.now() - 80 * 3600_000),
    });
    const closed = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      latitude: 59.63,
      longitude: 16.53,
      status: 'closed',
    });
    const late = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      ...oldSpot,
    });
    const afterClosed = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.streetlight!,
      latitude: 59.63,
      longitude: 16.53,
    });
    expect(await route(late.id)).toMatchObject({ duplicateOfCaseId: null });
    expect(await route(afterClosed.id)).toMatchObject({ duplicateOfCaseId: null });
    expect([old.id, closed.id]).toHaveLength(2);
  });

  it('fails a job for an unknown case without changing anything', async () => {
    await expect(
      routeFromJob(
        writer,
        { tenantId: demo.tenantId, caseId: '00000000-0000-4000-8000-000000000000', reason: 'created' },
        jobId(),
      ),
    ).rejects.toThrow(/No case/);
  });

  it('leaves department queue jobs in Redis through the relay', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories['waste-collection']!,
    });
    await route(c.id);
    const queue = new Queue(departmentQueueName(demo.departments.waste!), {
      connection: ctx.redis,
      prefix: ctx.queuePrefix,
    });
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data)).toContainEqual({
      tenantId: demo.tenantId,
      caseId: c.id,
      departmentId: demo.departments.waste,
      role: 'lead',
    });
    await queue.close();
    const unsent = await ctx.database.db
      .select()
      .from(schema.outbox)
      .where(and(eq(schema.outbox.queue, departmentQueueName(demo.departments.waste!))));
    expect(unsent.every((r) => r.sentAt)).toBe(true);
  });
});
