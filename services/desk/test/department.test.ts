import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

describe('department work', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  let agent: Awaited<ReturnType<Fixture['as']>>;
  let officer: Awaited<ReturnType<Fixture['as']>>;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    agent = await fixture.as('agent@vasteras.demo');
    officer = await fixture.as('officer@vasteras.demo');
  });
  afterAll(() => fixture.close());

  const post = (who: { headers: Record<string, string> }, url: string, payload?: object) =>
    fixture.app.inject({ method: 'POST', url, headers: who.headers, payload: payload ?? {} });
  const put = (who: { headers: Record<string, string> }, url: string, payload: object) =>
    fixture.app.inject({ method: 'PUT', url, headers: who.headers, payload });

  async function routedCase(lead: string, assisting: string[] = []) {
    const row = await newCase(fixture, writerOf(fixture, ctx), { agentId: agent.principal.userId });
    const res = await post(agent, `/v1/cases/${row.id}/route`, {
      leadDepartmentId: lead,
      assistingDepartmentIds: assisting,
    });
    expect(res.statusCode, res.body).toBe(200);
    return row.id;
  }
  const outbox = (caseId: string) =>
    ctx.database.db
      .select({ queue: schema.outbox.queue, payload: schema.outbox.payload })
      .from(schema.outbox)
      .where(eq(schema.outbox.tenantId, fixture.demo.tenantId))
      .then((rows) => rows.filter((r) => r.payload.caseId === caseId));

  it('returns a mis-routed case within the limit, for re-dispatch by the router', async () => {
    const caseId = await routedCase(fixture.demo.departments.streets!);
    const res = await post(officer, `/v1/cases/${caseId}/return`, {
      reason: 'This is a water main, not the street',
      suggestedDepartmentId: fixture.demo.departments.water,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'returned', claimedBy: null });
    expect(await outbox(caseId)).toContainEqual({
      queue: 'routing',
      payload: { tenantId: fixture.demo.tenantId, caseId, reason: 'returned' },
    });
    // Back in the agents' queue.
    const queue = await fixture.app.inject({ method: 'GET', url: '/v1/agent/queue', headers: agent.headers });
    expect(queue.json().items.map((i: { id: string }) => i.id)).toContain(caseId);
    // The audit log says a reason was given, not what it said (erasure cannot reach the audit log).
    const [audit] = await ctx.database.db
      .select({ data: schema.auditLog.data })
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, 'case.return'), eq(schema.auditLog.entityId, caseId)));
    expect(audit!.data).toEqual({
      reasonLength: 'This is a water main, not the street'.length,
      suggestedDepartmentId: fixture.demo.departments.water,
    });
  });

  it('refuses a return after the return limit, in business time since routing', async () => {
    const caseId = await routedCase(fixture.demo.departments.streets!);
    // Routed a week ago: five working days have passed, far beyond the 8 business hours allowed.
    await ctx.database.db
      .update(schema.caseEvents)
      .set({ createdAt: new Date(Date.now() - 7 * 24 * 3600_000) })
      .where(and(eq(schema.caseEvents.caseId, caseId), eq(schema.caseEvents.type, 'routed')));
    const res = await post(officer, `/v1/cases/${caseId}/return`, { reason: 'Not ours' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({
      type: 'https://samtal.dev/problems/return-limit-passed',
      limitMinutes: 480,
    });
  });

  it('cannot return, accept or resolve another department’s case', async () => {
    const caseId = await routedCase(fixture.demo.departments.water!);
    for (const action of ['accept', 'return', 'resolve']) {
      const res = await post(officer, `/v1/cases/${caseId}/${action}`, { reason: 'x', resolutionCode: 'x' });
      expect(res.statusCode, `${action}: ${res.body}`).toBe(404);
    }
  });

  it('requests information from the resident, which pauses the SLA clock', async () => {
    const caseId = await routedCase(fixture.demo.departments.streets!);
    const res = await post(officer, `/v1/cases/${caseId}/request-information`, {
      question: 'Which side of the road?',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'waiting_on_resident', slaPaused: true });
    const jobs = await outbox(caseId);
    expect(jobs).toContainEqual({
      queue: 'clocks',
      payload: { tenantId: fixture.demo.tenantId, caseId, reason: 'request_information' },
    });
    expect(jobs.filter((j) => j.queue === 'notifications').map((j) => j.payload.template)).toEqual([
      'information_request',
    ]);
  });

  it('lets an assisting department contribute to the lead’s case; only the lead answers the resident', async () => {
    const caseId = await routedCase(fixture.demo.departments.water!, [fixture.demo.departments.streets!]);
    const queue = await fixture.app.inject({
      method: 'GET',
      url: `/v1/departments/${fixture.demo.departments.streets}/queue`,
      headers: officer.headers,
    });
    expect(queue.json().items.find((i: { id: string }) => i.id === caseId)).toMatchObject({
      role: 'assisting',
    });
    const contributed = await put(
      officer,
      `/v1/cases/${caseId}/contributions/${fixture.demo.departments.streets}`,
      {
        contribution: 'The street will be closed on Monday for the repair.',
      },
    );
    expect(contributed.statusCode, contributed.body).toBe(200);
    const notLead = await post(officer, `/v1/cases/${caseId}/replies`, { body: 'Hello from streets' });
    expect(notLead.statusCode).toBe(403);
    const wrongDept = await put(
      officer,
      `/v1/cases/${caseId}/contributions/${fixture.demo.departments.waste}`,
      {
        contribution: 'x',
      },
    );
    expect(wrongDept.statusCode).toBe(400);
    expect(wrongDept.json().errors[0].field).toBe('departmentId');
    const detail = await fixture.app.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}`,
      headers: officer.headers,
    });
    expect(detail.json().assisting).toEqual([
      expect.objectContaining({
        departmentId: fixture.demo.departments.streets,
        contribution: 'The street will be closed on Monday for the repair.',
      }),
    ]);
  });

  it('merges a duplicate into its parent', async () => {
    const writer = writerOf(fixture, ctx);
    const parent = await newCase(fixture, writer, { agentId: agent.principal.userId });
    const duplicate = await newCase(fixture, writer, { agentId: agent.principal.userId });
    const res = await post(agent, `/v1/cases/${duplicate.id}/merge`, { parentCaseId: parent.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('merged');
    const [row] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, duplicate.id));
    expect(row!.parentCaseId).toBe(parent.id);
    const again = await post(agent, `/v1/cases/${duplicate.id}/merge`, { parentCaseId: parent.id });
    expect(again.statusCode).toBe(409);
    const self = await post(agent, `/v1/cases/${parent.id}/merge`, { parentCaseId: parent.id });
    expect(self.statusCode).toBe(409);
  });
});
