import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { sha256 } from '@samtal/security';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatService } from '../src/chat/service.ts';
import { type Desk, LiveClient, sleep, startDesk, tokenOf, writerOf } from './live-helpers.ts';

describe('chat', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let residentSide: Desk;
  let agentSide: Desk;
  let agent: Awaited<ReturnType<typeof tokenOf>>;
  let agent2: Awaited<ReturnType<typeof tokenOf>>;
  let agentLive: LiveClient;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    // Resident and agents on different instances: everything crosses Redis.
    residentSide = await startDesk(ctx);
    agentSide = await startDesk(ctx);
    agent = await tokenOf(ctx, demo, 'agent@vasteras.demo');
    agent2 = await tokenOf(ctx, demo, 'agent2@vasteras.demo');
    for (const who of [agent, agent2]) {
      const res = await agentSide.app.inject({
        method: 'PUT',
        url: '/v1/presence/me',
        headers: who.headers,
        payload: { status: 'available' },
      });
      expect(res.statusCode).toBe(200);
    }
    agentLive = await LiveClient.open(`${agentSide.url}/v1/live`, { headers: agent.headers });
    await agentLive.waitFor((m) => m.type === 'ready');
    await sleep(100); // the hub has read the agent's presence
  });
  afterAll(async () => {
    await agentLive?.close();
    await residentSide?.close();
    await agentSide?.close();
  });

  const openChat = async (language = 'sv') => {
    const resident = await LiveClient.open(
      `${residentSide.url}/v1/public/${demo.slug}/chat?language=${language}`,
    );
    const opened = await resident.waitFor((m) => m.type === 'opened');
    return { resident, chatId: opened.chatId as string };
  };
  const contact = async (chatId: string) => {
    const [row] = await ctx.database.db.select().from(schema.contacts).where(eq(schema.contacts.id, chatId));
    return row!;
  };
  const post = (url: string, who: { headers: Record<string, string> }, payload?: object) =>
    agentSide.app.inject({ method: 'POST', url, headers: who.headers, ...(payload ? { payload } : {}) });

  it('refuses an unknown municipality and a language it does not offer', async () => {
    await expect(LiveClient.open(`${residentSide.url}/v1/public/nowhere/chat`)).rejects.toThrow('HTTP 404');
    await expect(
      LiveClient.open(`${residentSide.url}/v1/public/${demo.slug}/chat?language=fi`),
    ).rejects.toThrow('HTTP 400');
  });

  it('offers, answers once, carries messages both ways and records offered → answered → ended → wrap-up', async () => {
    const { resident, chatId } = await openChat('en');
    const offer = await agentLive.waitFor((m) => m.type === 'chat.offered' && m.chatId === chatId);
    expect(offer.language).toBe('en');
    resident.send({ type: 'message', body: 'Hello, my bin was not emptied' });
    await sleep(50);

    const list = await agentSide.app.inject({ method: 'GET', url: '/v1/chats', headers: agent.headers });
    expect((list.json() as { waiting: { chatId: string }[] }).waiting.map((w) => w.chatId)).toContain(chatId);

    // Two agents accept at the same instant: exactly one wins.
    const [a, b] = await Promise.all([
      post(`/v1/chats/${chatId}/accept`, agent),
      post(`/v1/chats/${chatId}/accept`, agent2),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const winner = a.statusCode === 200 ? agent : agent2;
    const accepted = (a.statusCode === 200 ? a : b).json() as { transcript: { body: string }[] };
    expect(accepted.transcript.map((l) => l.body)).toEqual(['Hello, my bin was not emptied']);
    await resident.waitFor((m) => m.type === 'answered');

    const said = await post(`/v1/chats/${chatId}/messages`, winner, { body: 'Sorry! I will look into it.' });
    expect(said.statusCode).toBe(201);
    await resident.waitFor((m) => m.type === 'message' && m.body === 'Sorry! I will look into it.');
    const loser = winner === agent ? agent2 : agent;
    expect((await post(`/v1/chats/${chatId}/messages`, loser, { body: 'me too' })).statusCode).toBe(409);

    if (winner === agent) {
      resident.send({ type: 'message', body: 'Thanks' });
      await agentLive.waitFor((m) => m.type === 'chat.message' && m.body === 'Thanks');
    }

    const ended = await post(`/v1/chats/${chatId}/end`, winner);
    expect(ended.statusCode).toBe(200);
    await resident.waitFor((m) => m.type === 'ended');
    expect(await resident.closed).toBe(1000);
    const wrapped = await post(`/v1/chats/${chatId}/wrap-up`, winner);
    expect(wrapped.statusCode).toBe(200);
    expect((await post(`/v1/chats/${chatId}/wrap-up`, winner)).statusCode).toBe(409);

    const row = await contact(chatId);
    expect(row).toMatchObject({ channel: 'chat', agentId: winner.principal.userId, abandonedAt: null });
    expect(row.offeredAt <= row.answeredAt!).toBe(true);
    expect(row.answeredAt! <= row.endedAt!).toBe(true);
    expect(row.endedAt! <= row.wrapUpEndedAt!).toBe(true);
  });

  it('records a resident who leaves before an answer as abandoned', async () => {
    const { resident, chatId } = await openChat();
    await agentLive.waitFor((m) => m.type === 'chat.offered' && m.chatId === chatId);
    await resident.close();
    await agentLive.waitFor((m) => m.type === 'chat.closed' && m.chatId === chatId);
    const row = await contact(chatId);
    expect(row.abandonedAt).toBeInstanceOf(Date);
    expect(row.answeredAt).toBeNull();
    expect(row.endedAt).toBeNull();
    expect((await post(`/v1/chats/${chatId}/accept`, agent)).statusCode).toBe(409);
  });

  it('does not offer chats to agents who are away', async () => {
    const away = await LiveClient.open(`${agentSide.url}/v1/live`, { headers: agent2.headers });
    await agentSide.app.inject({
      method: 'PUT',
      url: '/v1/presence/me',
      headers: agent2.headers,
      payload: { status: 'away' },
    });
    await sleep(100);
    const { resident, chatId } = await openChat();
    await agentLive.waitFor((m) => m.type === 'chat.offered' && m.chatId === chatId);
    await sleep(100);
    expect(away.messages.some((m) => m.type === 'chat.offered' && m.chatId === chatId)).toBe(false);
    await resident.close();
    await away.close();
  });

  it('turns a chat into a case like intake does and gives the resident the tracking code and token', async () => {
    const { resident, chatId } = await openChat();
    resident.send({ type: 'message', body: 'Streetlight out on Stora gatan' });
    await sleep(50);
    expect((await post(`/v1/chats/${chatId}/accept`, agent)).statusCode).toBe(200);
    await post(`/v1/chats/${chatId}/messages`, agent, { body: 'I will register it.' });
    const made = await post(`/v1/chats/${chatId}/case`, agent, { categoryId: demo.categories.streetlight });
    expect(made.statusCode).toBe(201);
    const { caseId, trackingCode } = made.json() as { caseId: string; trackingCode: string };
    const told = await resident.waitFor((m) => m.type === 'case_created');
    expect(told.trackingCode).toBe(trackingCode);

    const [c] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, caseId));
    expect(c).toMatchObject({
      channel: 'chat',
      status: 'new',
      language: 'sv',
      claimedBy: agent.principal.userId,
      description: 'Streetlight out on Stora gatan',
      accessTokenHash: sha256(told.accessToken as string),
    });
    const events = await ctx.database.db
      .select()
      .from(schema.caseEvents)
      .where(eq(schema.caseEvents.caseId, caseId));
    expect(events.map((e) => e.type)).toEqual(['created']);
    const jobs = await ctx.database.db
      .select()
      .from(schema.outbox)
      .where(and(eq(schema.outbox.tenantId, demo.tenantId), eq(schema.outbox.queue, 'routing')));
    expect(jobs.map((j) => j.payload)).toContainEqual({ tenantId: demo.tenantId, caseId, reason: 'created' });
    const messages = await ctx.database.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.caseId, caseId));
    expect(messages.map((m) => [m.direction, m.body])).toEqual([
      ['from_resident', 'Streetlight out on Stora gatan'],
      ['to_resident', 'I will register it.'],
    ]);
    expect((await contact(chatId)).caseId).toBe(caseId);
    expect(
      (await post(`/v1/chats/${chatId}/case`, agent, { categoryId: demo.categories.streetlight })).statusCode,
    ).toBe(409);
    await resident.close();
  });

  it('closes chats whose resident instance died (no one keeps them alive)', async () => {
    const chats = new ChatService(writerOf(ctx), 1);
    const [orphan] = await ctx.database.db
      .insert(schema.contacts)
      .values({
        tenantId: demo.tenantId,
        channel: 'chat',
        queue: 'chat',
        offeredAt: new Date(Date.now() - 5000),
      })
      .returning();
    expect(await chats.sweepOrphans()).toBeGreaterThanOrEqual(1);
    expect((await contact(orphan!.id)).abandonedAt).toBeInstanceOf(Date);
    expect(await chats.sweepOrphans()).toBe(0);
  });
});
