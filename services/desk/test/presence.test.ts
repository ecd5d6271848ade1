import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Desk, LiveClient, sleep, startDesk, tokenOf } from './live-helpers.ts';

describe('presence', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let desk: Desk;
  let agent: Awaited<ReturnType<typeof tokenOf>>;
  let supervisor: Awaited<ReturnType<typeof tokenOf>>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    desk = await startDesk(ctx, { PRESENCE_OFFLINE_GRACE_MS: 50 });
    agent = await tokenOf(ctx, demo, 'agent@vasteras.demo');
    supervisor = await tokenOf(ctx, demo, 'supervisor@vasteras.demo');
  });
  afterAll(() => desk?.close());

  const set = (who: { headers: Record<string, string> }, status: string) =>
    desk.app.inject({ method: 'PUT', url: '/v1/presence/me', headers: who.headers, payload: { status } });
  const intervals = (userId: string) =>
    ctx.database.db
      .select()
      .from(schema.staffPresence)
      .where(eq(schema.staffPresence.userId, userId))
      .orderBy(asc(schema.staffPresence.id));

  it('keeps contiguous intervals: each change closes the open one and opens the next', async () => {
    expect((await set(agent, 'available')).json()).toMatchObject({ status: 'available', changed: true });
    expect((await set(agent, 'available')).json()).toMatchObject({ changed: false });
    expect((await set(agent, 'busy')).json()).toMatchObject({ status: 'busy', changed: true });
    const rows = await intervals(agent.principal.userId);
    expect(rows.map((r) => r.status)).toEqual(['available', 'busy']);
    expect(rows[0]!.endedAt).toEqual(rows[1]!.startedAt);
    expect(rows[1]!.endedAt).toBeNull();
    expect((await set(agent, 'sleeping')).statusCode).toBe(400);
    const me = await desk.app.inject({ method: 'GET', url: '/v1/presence/me', headers: agent.headers });
    expect(me.json()).toMatchObject({ status: 'busy' });
  });

  it("shows everyone's presence to supervisors only, and live", async () => {
    expect(
      (await desk.app.inject({ method: 'GET', url: '/v1/presence', headers: agent.headers })).statusCode,
    ).toBe(403);
    const list = await desk.app.inject({ method: 'GET', url: '/v1/presence', headers: supervisor.headers });
    expect(list.statusCode).toBe(200);
    const staff = (list.json() as { staff: { userId: string; status: string }[] }).staff;
    expect(staff.find((s) => s.userId === agent.principal.userId)?.status).toBe('busy');

    const watcher = await LiveClient.open(`${desk.url}/v1/live`, { headers: supervisor.headers });
    watcher.send({ type: 'subscribe', topics: [{ kind: 'presence' }] });
    await watcher.waitFor((m) => m.type === 'subscribed');
    await set(agent, 'away');
    const change = await watcher.waitFor((m) => m.type === 'presence');
    expect(change).toMatchObject({ userId: agent.principal.userId, status: 'away' });

    const nosy = await LiveClient.open(`${desk.url}/v1/live`, { headers: agent.headers });
    nosy.send({ type: 'subscribe', topics: [{ kind: 'presence' }] });
    expect((await nosy.waitFor((m) => m.type === 'error')).code).toBe('forbidden');
    await nosy.close();
    await watcher.close();
  });

  /** Waits (by the clock) until the member's latest presence interval is offline. */
  async function untilOffline(userId: string) {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
      const rows = await intervals(userId);
      if (rows.at(-1)?.status === 'offline') return rows;
    }
    return intervals(userId);
  }

  it('goes offline automatically when the last live socket closes, not before', async () => {
    // The previous test closed the agent's only socket; let its offline grace run out first, or it
    // lands in the middle of this test.
    await untilOffline(agent.principal.userId);
    await set(agent, 'available');
    const one = await LiveClient.open(`${desk.url}/v1/live`, { headers: agent.headers });
    const two = await LiveClient.open(`${desk.url}/v1/live`, { headers: agent.headers });
    await one.waitFor((m) => m.type === 'ready');
    await two.waitFor((m) => m.type === 'ready');
    await sleep(50);
    await one.close();
    await sleep(200);
    const still = await desk.app.inject({ method: 'GET', url: '/v1/presence/me', headers: agent.headers });
    expect(still.json()).toMatchObject({ status: 'available' });
    await two.close();
    const rows = await untilOffline(agent.principal.userId);
    expect(rows.at(-1)).toMatchObject({ status: 'offline', endedAt: null });
    expect(rows.at(-2)).toMatchObject({ status: 'available' });
    expect(rows.at(-2)!.endedAt).toEqual(rows.at(-1)!.startedAt);
  });
});
