import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import type { Fixture } from './work-helpers.ts';

describe('an agent works a case end to end through the API', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
  });
  afterAll(() => fixture.close());

  it('registers a phone contact, claims, replies, routes to streets; the officer accepts and resolves', async () => {
    const agent = await fixture.as('agent@vasteras.demo');
    const officer = await fixture.as('officer@vasteras.demo');
    const post = (who: { headers: Record<string, string> }, url: string, payload?: object) =>
      fixture.app.inject({ method: 'POST', url, headers: who.headers, payload: payload ?? {} });

    const registered = await post(agent, '/v1/agent/contacts', {
      channel: 'phone',
      categoryCode: 'pothole',
      description: 'A deep pothole on Kopparbergsvägen',
      attributes: { size: 'large' },
      contact: { name: 'Eva', phone: '+46701234567' },
      dispatch: false,
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const caseId = registered.json().case.id as string;
    expect(registered.json().case.channel).toBe('phone');

    // It arrives in the agents' queue, claimed by the agent who took the call; she releases it.
    const queue = await fixture.app.inject({ method: 'GET', url: '/v1/agent/queue', headers: agent.headers });
    expect(queue.json().items.map((i: { id: string }) => i.id)).toContain(caseId);
    expect((await post(agent, `/v1/cases/${caseId}/release`)).statusCode).toBe(200);

    const claimed = await post(agent, `/v1/cases/${caseId}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.json().claimedBy.displayName).toBe('Anna Agent');

    const replied = await post(agent, `/v1/cases/${caseId}/replies`, { body: 'Thank you, we are on it.' });
    expect(replied.statusCode, replied.body).toBe(201);
    expect(replied.json().firstResponse).toBe(true);

    const routed = await post(agent, `/v1/cases/${caseId}/route`, {
      leadDepartmentId: fixture.demo.departments.streets,
    });
    expect(routed.statusCode, routed.body).toBe(200);
    expect(routed.json().status).toBe('routed');

    const deptQueue = await fixture.app.inject({
      method: 'GET',
      url: `/v1/departments/${fixture.demo.departments.streets}/queue`,
      headers: officer.headers,
    });
    expect(deptQueue.json().items.map((i: { id: string }) => i.id)).toContain(caseId);

    expect((await post(officer, `/v1/cases/${caseId}/accept`)).json().status).toBe('accepted');
    const progress = await post(officer, `/v1/cases/${caseId}/progress`, {
      body: 'Repair booked for Tuesday.',
    });
    expect(progress.statusCode, progress.body).toBe(201);
    const resolved = await post(officer, `/v1/cases/${caseId}/resolve`, { resolutionCode: 'fixed' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json().status).toBe('resolved');

    const detail = await fixture.app.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}`,
      headers: agent.headers,
    });
    expect(detail.json().events.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'released',
      'claimed',
      'replied',
      'routed',
      'accepted',
      'started',
      'progress_reported',
      'resolved',
    ]);
    expect(detail.json().firstContactResolution).toBe(false);
    expect(detail.json().resolutionCode).toBe('fixed');

    const jobs = await ctx.database.db
      .select({ queue: schema.outbox.queue, payload: schema.outbox.payload })
      .from(schema.outbox)
      .where(eq(schema.outbox.tenantId, fixture.demo.tenantId));
    expect(jobs).toContainEqual({
      queue: `department.${fixture.demo.departments.streets}`,
      payload: {
        tenantId: fixture.demo.tenantId,
        caseId,
        departmentId: fixture.demo.departments.streets,
        role: 'lead',
      },
    });
    expect(jobs.filter((j) => j.queue === 'notifications').map((j) => j.payload.template)).toEqual([
      'reply',
      'reply',
      'resolution',
    ]);
    const audit = await ctx.database.db
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.entity, 'case'), eq(schema.auditLog.entityId, caseId)));
    expect(audit.map((a) => a.action)).toEqual([
      'case.register_contact',
      'case.release',
      'case.claim',
      'case.reply',
      'case.route',
      'case.accept',
      'case.progress',
      'case.resolve',
    ]);
  });

  it('resolves directly from the agent as first-contact resolution', async () => {
    const agent = await fixture.as('agent2@vasteras.demo');
    const registered = await fixture.app.inject({
      method: 'POST',
      url: '/v1/agent/contacts',
      headers: agent.headers,
      payload: {
        channel: 'walk_in',
        categoryCode: 'question',
        description: 'When is the library open?',
        dispatch: false,
      },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const resolved = await fixture.app.inject({
      method: 'POST',
      url: `/v1/cases/${registered.json().case.id}/resolve`,
      headers: agent.headers,
      payload: { resolutionCode: 'answered', message: 'It opens at ten.' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const [row] = await ctx.database.db
      .select()
      .from(schema.cases)
      .where(eq(schema.cases.id, registered.json().case.id));
    expect(row).toMatchObject({ status: 'resolved', firstContactResolution: true, channel: 'walk_in' });
    expect(row!.firstRespondedAt).not.toBeNull();
  });

  it('names the bad fields of a phone contact', async () => {
    const agent = await fixture.as('agent@vasteras.demo');
    const res = await fixture.app.inject({
      method: 'POST',
      url: '/v1/agent/contacts',
      headers: agent.headers,
      payload: {
        channel: 'phone',
        categoryCode: 'pothole',
        description: 'hole',
        attributes: { size: 'huge' },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'attributes.size', message: 'must be one of small, medium, large' },
    ]);
  });
});
