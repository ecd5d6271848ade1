import type { CaseWriter } from '@samtal/cases';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { and, asc, eq, gt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitEvent,
  type Desk,
  LiveClient,
  newCase,
  sleep,
  startDesk,
  tokenOf,
  writerOf,
} from './live-helpers.ts';

describe('live updates over WebSocket', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let desk: Desk;
  let other: Desk;
  let writer: CaseWriter;
  let agent: Awaited<ReturnType<typeof tokenOf>>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    // Polling far apart: what arrives quickly arrived through pub/sub.
    desk = await startDesk(ctx, { LIVE_POLL_MS: 60_000 });
    other = await startDesk(ctx, { LIVE_POLL_MS: 60_000 });
    writer = writerOf(ctx);
    agent = await tokenOf(ctx, demo, 'agent@vasteras.demo');
  });
  afterAll(async () => {
    await desk?.close();
    await other?.close();
    await writer?.relay.stop();
  });

  const connect = (d: Desk, headers: Record<string, string>) =>
    LiveClient.open(`${d.url}/v1/live`, { headers });

  it('refuses an upgrade without a session, and accepts a one-time ticket once', async () => {
    await expect(LiveClient.open(`${desk.url}/v1/live`)).rejects.toThrow('HTTP 401');
    const res = await desk.app.inject({ method: 'POST', url: '/v1/live/ticket', headers: agent.headers });
    expect(res.statusCode).toBe(200);
    const { ticket } = res.json() as { ticket: string };
    const client = await LiveClient.open(`${desk.url}/v1/live?ticket=${ticket}`);
    await client.waitFor((m) => m.type === 'ready');
    await client.close();
    await expect(LiveClient.open(`${desk.url}/v1/live?ticket=${ticket}`)).rejects.toThrow('HTTP 401');
    const anonymous = await desk.app.inject({ method: 'POST', url: '/v1/live/ticket' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers a malformed subscription with an error naming the field', async () => {
    const client = await connect(desk, agent.headers);
    client.send({ type: 'subscribe', topics: [{ kind: 'queue', queue: 'nope' }] });
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error.code).toBe('invalid');
    expect(String(error.message)).toContain('topics.0');
    await client.close();
  });

  it('resumes after a dropped connection: everything missed from PostgreSQL, then live, none twice', async () => {
    const a = await newCase(ctx, demo);
    const b = await newCase(ctx, demo);
    const first = await connect(desk, agent.headers);
    first.send({ type: 'subscribe', topics: [{ kind: 'queue', queue: 'triage' }] });
    await first.waitFor((m) => m.type === 'subscribed');
    const seen = await commitEvent(writer, demo.tenantId, a.id, 'created');
    await first.waitFor((m) => m.type === 'event' && m.id === seen);
    first.ws.terminate(); // dropped, not closed politely
    await first.closed;

    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await commitEvent(writer, demo.tenantId, i % 2 ? a.id : b.id));

    const second = await connect(other, agent.headers);
    second.send({ type: 'subscribe', topics: [{ kind: 'queue', queue: 'triage' }], lastEventId: seen });
    // Events committed while the catch-up runs: they must come once, after the missed ones.
    const during = await Promise.all([0, 1, 2, 3, 4].map(() => commitEvent(writer, demo.tenantId, a.id)));
    await second.waitFor((m) => m.type === 'caught_up');
    const after = await commitEvent(writer, demo.tenantId, b.id);
    await second.waitFor((m) => m.type === 'event' && m.id === after);

    const ids = second.events().map((e) => e.id);
    expect(ids).toEqual([...missed, ...during.sort((x, y) => x - y), after]);
    expect(new Set(ids).size).toBe(ids.length);
    await second.close();
  });

  it('delivers in id order even when a later id commits first', async () => {
    const c = await newCase(ctx, demo);
    const client = await connect(desk, agent.headers);
    client.send({ type: 'subscribe', topics: [{ kind: 'case', caseId: c.id }] });
    await client.waitFor((m) => m.type === 'subscribed');

    // A transaction takes an id and stays open …
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let earlyId = 0;
    let taken!: () => void;
    const tookId = new Promise<void>((r) => {
      taken = r;
    });
    const slow = ctx.database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(schema.caseEvents)
        .values({ tenantId: demo.tenantId, caseId: c.id, type: 'slow', actorKind: 'system' })
        .returning();
      earlyId = row!.id;
      taken();
      await held;
    });
    await tookId;
    // … while another takes a later id and commits (and announces) first.
    const lateId = await commitEvent(writer, demo.tenantId, c.id, 'fast');
    expect(lateId).toBeGreaterThan(earlyId);
    await sleep(300);
    expect(client.events().map((e) => e.id)).toEqual([]);
    release();
    await slow;
    await commitEvent(writer, demo.tenantId, c.id, 'wake'); // announcements only wake the hub
    await client.waitFor((m) => m.type === 'event' && (m.event as { type: string }).type === 'wake');
    expect(client.events().map((e) => e.type)).toEqual(['slow', 'fast', 'wake']);
    await client.close();
  });

  it('fans out across desk instances: committed behind one, delivered by the other', async () => {
    const c = await newCase(ctx, demo);
    const onFirst = await connect(desk, agent.headers);
    const onSecond = await connect(other, agent.headers);
    for (const client of [onFirst, onSecond]) {
      client.send({ type: 'subscribe', topics: [{ kind: 'case', caseId: c.id }] });
      await client.waitFor((m) => m.type === 'subscribed');
    }
    const started = Date.now();
    const id = await commitEvent(writer, demo.tenantId, c.id);
    await onFirst.waitFor((m) => m.type === 'event' && m.id === id, 2000);
    await onSecond.waitFor((m) => m.type === 'event' && m.id === id, 2000);
    expect(Date.now() - started).toBeLessThan(2000); // pub/sub, not the 60 s poll
    await onFirst.close();
    await onSecond.close();
  });

  it('shows officers only their departments, sensitive cases only to handlers and named roles', async () => {
    const officer = await tokenOf(ctx, demo, 'officer@vasteras.demo');
    const supervisor = await tokenOf(ctx, demo, 'supervisor@vasteras.demo');
    const streets = demo.departments.streets!;
    const water = demo.departments.water!;
    const ours = await newCase(ctx, demo, { leadDepartmentId: streets, status: 'routed' });
    const theirs = await newCase(ctx, demo, { leadDepartmentId: water, status: 'routed' });
    const sensitive = await newCase(ctx, demo, {
      leadDepartmentId: streets,
      status: 'routed',
      sensitive: true,
    });

    const o = await connect(desk, officer.headers);
    o.send({
      type: 'subscribe',
      topics: [
        { kind: 'department', departmentId: streets },
        { kind: 'department', departmentId: water },
        { kind: 'queue', queue: 'triage' },
        { kind: 'case', caseId: sensitive.id },
      ],
    });
    const refused = await o.waitFor((m) => m.type === 'error');
    expect(refused.code).toBe('forbidden');
    expect(refused.topics).toEqual([
      { kind: 'department', departmentId: water },
      { kind: 'queue', queue: 'triage' },
      { kind: 'case', caseId: sensitive.id },
    ]);
    await o.waitFor((m) => m.type === 'subscribed');

    const s = await connect(other, supervisor.headers);
    s.send({ type: 'subscribe', topics: [{ kind: 'department', departmentId: streets }] });
    await s.waitFor((m) => m.type === 'subscribed');

    const visible = await commitEvent(writer, demo.tenantId, ours.id, 'note_added', {
      demographics: { gender: 'woman' },
      text: 'x',
    });
    const hidden = await commitEvent(writer, demo.tenantId, theirs.id);
    const secret = await commitEvent(writer, demo.tenantId, sensitive.id);
    const marker = await commitEvent(writer, demo.tenantId, ours.id, 'marker');
    await o.waitFor((m) => m.id === marker);
    await s.waitFor((m) => m.id === secret);
    expect(o.events().map((e) => e.id)).toEqual([visible, marker]);
    expect(o.events()[0]!.data).toEqual({ text: 'x' }); // demographics never reach the desk
    expect(s.events().map((e) => e.id)).toContain(secret);
    expect(s.events().map((e) => e.id)).not.toContain(hidden);

    // The handler who claimed the sensitive case sees it.
    await ctx.database.db
      .update(schema.cases)
      .set({ claimedBy: officer.principal.userId })
      .where(eq(schema.cases.id, sensitive.id));
    const nowVisible = await commitEvent(writer, demo.tenantId, sensitive.id);
    await o.waitFor((m) => m.id === nowVisible);
    await o.close();
    await s.close();
  });

  it('never crosses tenants', async () => {
    const elsewhere = await seedDemoMunicipality(ctx.database.db, {
      slug: 'jinan',
      open311Key: 'k'.repeat(32),
    });
    const c = await newCase(ctx, elsewhere);
    const client = await connect(desk, agent.headers);
    client.send({
      type: 'subscribe',
      topics: [
        { kind: 'queue', queue: 'triage' },
        { kind: 'case', caseId: c.id },
      ],
    });
    await client.waitFor((m) => m.type === 'error' && m.code === 'forbidden');
    const foreign = await commitEvent(writer, elsewhere.tenantId, c.id, 'created');
    const ours = await newCase(ctx, demo);
    const mine = await commitEvent(writer, demo.tenantId, ours.id, 'created');
    await client.waitFor((m) => m.id === mine);
    expect(client.events().map((e) => e.id)).not.toContain(foreign);
    await client.close();
  });

  it('matches the database: a reconnect from id 0 replays exactly the tenant events it may see', async () => {
    const client = await connect(desk, agent.headers);
    client.send({ type: 'subscribe', topics: [{ kind: 'queue', queue: 'triage' }], lastEventId: 0 });
    await client.waitFor((m) => m.type === 'caught_up');
    const expected = await ctx.database.db
      .select({ id: schema.caseEvents.id })
      .from(schema.caseEvents)
      .innerJoin(schema.cases, eq(schema.cases.id, schema.caseEvents.caseId))
      .where(
        and(
          eq(schema.caseEvents.tenantId, demo.tenantId),
          gt(schema.caseEvents.id, 0),
          eq(schema.cases.status, 'new'),
          eq(schema.cases.sensitive, false),
        ),
      )
      .orderBy(asc(schema.caseEvents.id));
    expect(client.events().map((e) => e.id)).toEqual(expected.map((e) => e.id));
    await client.close();
  });
});

describe('live heartbeats and backpressure', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let desk: Desk;
  let agent: Awaited<ReturnType<typeof tokenOf>>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    // Long enough for a loaded test machine's event loop to answer pings in time.
    desk = await startDesk(ctx, { LIVE_HEARTBEAT_MS: 300 });
    agent = await tokenOf(ctx, demo, 'agent@vasteras.demo');
  });
  afterAll(() => desk?.close());

  it('drops a socket that stops answering pings, keeps one that answers', async () => {
    const silent = await LiveClient.open(`${desk.url}/v1/live`, { headers: agent.headers, autoPong: false });
    const healthy = await LiveClient.open(`${desk.url}/v1/live`, { headers: agent.headers });
    const code = await Promise.race([silent.closed, sleep(5000).then(() => 'still open')]);
    expect(code).toBe(1006); // terminated, no close frame
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    for (let i = 0; i < 50 && desk.app.live.clients.size > 1; i++) await sleep(20);
    expect(desk.app.live.clients.size).toBe(1);
    await healthy.close();
  });

  it('drops a socket whose unsent messages would pass the limit', async () => {
    const writer = writerOf(ctx);
    const small = await startDesk(ctx, { LIVE_MAX_BUFFERED_BYTES: 400 });
    const c = await newCase(ctx, demo);
    const client = await LiveClient.open(`${small.url}/v1/live`, { headers: agent.headers });
    client.send({ type: 'subscribe', topics: [{ kind: 'case', caseId: c.id }] });
    await client.waitFor((m) => m.type === 'subscribed');
    await commitEvent(writer, demo.tenantId, c.id, 'note_added', { text: 'x'.repeat(1000) });
    expect(await Promise.race([client.closed, sleep(3000).then(() => 'still open')])).toBe(1006);
    await writer.relay.stop();
    await small.close();
  });
});
