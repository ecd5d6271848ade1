import { randomUUID } from 'node:crypto';
import { type CaseWriter, inCaseTransaction } from '@samtal/cases';
import { schema } from '@samtal/db';
import { ConflictProblem, invalidField, NotFoundProblem } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { randomToken, sha256, trackingCode } from '@samtal/security';
import { and, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { chatChannel } from '../live/channels.ts';

/** One line of a chat, kept in Redis while the chat lives (and copied to the case if it becomes one). */
export interface ChatLine {
  from: 'resident' | 'agent';
  body: string;
  at: string;
  agentId?: string;
}

/** What travels on the chat channel between desk instances. */
export type ChatAnnouncement =
  | { kind: 'offered'; tenantId: string; chatId: string; language: string; offeredAt: string }
  | { kind: 'answered'; tenantId: string; chatId: string; agentId: string; agentName: string }
  | {
      kind: 'message';
      tenantId: string;
      chatId: string;
      /** The agent who answered (who should see a resident's line), if anyone has. */
      agentId: string | null;
      from: ChatLine['from'];
      body: string;
      at: string;
    }
  | {
      kind: 'closed';
      tenantId: string;
      chatId: string;
      outcome: 'abandoned' | 'ended';
      by: 'resident' | 'agent' | 'system';
      agentId: string | null;
    }
  | { kind: 'case'; tenantId: string; chatId: string; trackingCode: string; accessToken: string };

export type ContactRow = typeof schema.contacts.$inferSelect;

/** How long a chat's Redis state outlives its last activity. */
const CHAT_TTL_S = 24 * 3600;

/**
 * Chats: PostgreSQL's `contacts` row is the chat's state of record (offered / answered / abandoned
 * / ended / wrap-up, the agent); Redis holds what is fleeting (language, transcript, an "alive"
 * key the resident's instance keeps fresh) and carries the chat channel between instances. State
 * changes are conditional updates, so two agents accepting at once leave exactly one winner.
 */
export class ChatService {
  constructor(
    private readonly writer: CaseWriter,
    private readonly aliveMs: number,
  ) {}

  private get db() {
    return this.writer.db;
  }
  private get redis() {
    return this.writer.redis;
  }
  private key(chatId: string, part?: string) {
    return `${this.writer.prefix}:chat:${chatId}${part ? `:${part}` : ''}`;
  }

  async announce(message: ChatAnnouncement): Promise<void> {
    await this.redis.publish(chatChannel(this.writer.prefix), JSON.stringify(message)).catch(() => {});
  }

  /** The resident's instance calls this while the socket is open; a missing key means it is gone. */
  async keepAlive(chatIds: string[]): Promise<void> {
    if (!chatIds.length) return;
    const pipeline = this.redis.pipeline();
    for (const id of chatIds) pipeline.set(this.key(id, 'alive'), '1', 'PX', this.aliveMs);
    await pipeline.exec();
  }

  async open(tenantId: string, language: string): Promise<ContactRow> {
    const id = randomUUID();
    // Redis first: an offer must never point at a chat whose language and liveness are unknown.
    await this.redis
      .multi()
      .hset(this.key(id), { tenantId, language })
      .expire(this.key(id), CHAT_TTL_S)
      .set(this.key(id, 'alive'), '1', 'PX', this.aliveMs)
      .exec();
    const [contact] = await this.db
      .insert(schema.contacts)
      .values({ id, tenantId, channel: 'chat', queue: 'chat', offeredAt: new Date() })
      .returning();
    await this.announce({
      kind: 'offered',
      tenantId,
      chatId: id,
      language,
      offeredAt: contact!.offeredAt.toISOString(),
    });
    return contact!;
  }

  async find(tenantId: string, chatId: string): Promise<ContactRow> {
    const [row] = await this.db
      .select()
      .from(schema.contacts)
      .where(
        and(
          eq(schema.contacts.tenantId, tenantId),
          eq(schema.contacts.id, chatId),
          eq(schema.contacts.channel, 'chat'),
        ),
      );
    if (!row) throw new NotFoundProblem('No such chat');
    return row;
  }

  async language(chatId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.key(chatId), 'language')) ?? undefined;
  }

  async transcript(chatId: string): Promise<ChatLine[]> {
    const lines = await this.redis.lrange(this.key(chatId, 'transcript'), 0, -1);
    return lines.map((l) => JSON.parse(l) as ChatLine);
  }

  /** Waiting chats of a tenant (offered, neither answered nor closed), oldest first. */
  async waiting(tenantId: string): Promise<ContactRow[]> {
    const c = schema.contacts;
    return this.db
      .select()
      .from(c)
      .where(
        and(
          eq(c.tenantId, tenantId),
          eq(c.channel, 'chat'),
          isNull(c.answeredAt),
          isNull(c.abandonedAt),
          isNull(c.endedAt),
        ),
      )
      .orderBy(c.offeredAt);
  }

  async activeOf(tenantId: string, agentId: string): Promise<ContactRow[]> {
    const c = schema.contacts;
    return this.db
      .select()
      .from(c)
      .where(
        and(eq(c.tenantId, tenantId), eq(c.channel, 'chat'), eq(c.agentId, agentId), isNull(c.wrapUpEndedAt)),
      )
      .orderBy(c.offeredAt);
  }

  /** Exactly one agent wins: the update only applies while the chat is still waiting. */
  async accept(tenantId: string, chatId: string, agent: { userId: string; displayName: string }) {
    const c = schema.contacts;
    const [won] = await this.db
      .update(c)
      .set({ answeredAt: new Date(), agentId: agent.userId })
      .where(
        and(
          eq(c.tenantId, tenantId),
          eq(c.id, chatId),
          eq(c.channel, 'chat'),
          isNull(c.answeredAt),
          isNull(c.abandonedAt),
          isNull(c.endedAt),
        ),
      )
      .returning();
    if (!won) {
      const current = await this.find(tenantId, chatId);
      throw new ConflictProblem(
        current.answeredAt ? 'Another agent has answered this chat' : 'The resident has left this chat',
        { agentId: current.agentId },
      );
    }
    await this.announce({
      kind: 'answered',
      tenantId,
      chatId,
      agentId: agent.userId,
      agentName: agent.displayName,
    });
    return won;
  }

  async say(tenantId: string, chatId: string, line: ChatLine, agentId: string | null): Promise<void> {
    await this.redis
      .multi()
      .rpush(this.key(chatId, 'transcript'), JSON.stringify(line))
      .expire(this.key(chatId, 'transcript'), CHAT_TTL_S)
      .exec();
    await this.announce({
      kind: 'message',
      tenantId,
      chatId,
      agentId,
      from: line.from,
      body: line.body,
      at: line.at,
    });
  }

  /** The agent's side of the conversation: only the agent who answered, only while it runs. */
  async agentSays(tenantId: string, chatId: string, agentId: string, body: string): Promise<ChatLine> {
    const chat = await this.find(tenantId, chatId);
    if (chat.agentId !== agentId || !chat.answeredAt) throw new ConflictProblem('This is not your chat');
    if (chat.endedAt || chat.abandonedAt) throw new ConflictProblem('This chat has ended');
    const line: ChatLine = { from: 'agent', body, at: new Date().toISOString(), agentId };
    await this.say(tenantId, chatId, line, agentId);
    return line;
  }

  /**
   * Closes a chat that is still open: abandoned if nobody had answered (the resident gave up while
   * waiting), else ended. Returns undefined when it was already closed (by another path or instance).
   */
  async close(
    tenantId: string,
    chatId: string,
    by: 'resident' | 'agent' | 'system',
    options: { agentId?: string; at?: Date } = {},
  ): Promise<ContactRow | undefined> {
    const c = schema.contacts;
    const at = options.at ?? new Date();
    const open = and(
      eq(c.tenantId, tenantId),
      eq(c.id, chatId),
      eq(c.channel, 'chat'),
      isNull(c.abandonedAt),
      isNull(c.endedAt),
    );
    let outcome: 'abandoned' | 'ended' = 'ended';
    let [row] = await this.db
      .update(c)
      .set({ endedAt: at })
      .where(and(open, isNotNull(c.answeredAt), options.agentId ? eq(c.agentId, options.agentId) : undefined))
      .returning();
    if (!row && by !== 'agent') {
      outcome = 'abandoned';
      [row] = await this.db
        .update(c)
        .set({ abandonedAt: at })
        .where(and(open, isNull(c.answeredAt)))
        .returning();
    }
    if (!row) return undefined;
    await this.redis.del(this.key(chatId, 'alive'));
    await this.announce({ kind: 'closed', tenantId, chatId, outcome, by, agentId: row.agentId });
    return row;
  }

  /** End of after-contact work: AHT runs from answer to here. */
  async wrapUp(tenantId: string, chatId: string, agentId: string): Promise<ContactRow> {
    const c = schema.contacts;
    const [row] = await this.db
      .update(c)
      .set({ wrapUpEndedAt: new Date() })
      .where(
        and(
          eq(c.tenantId, tenantId),
          eq(c.id, chatId),
          eq(c.agentId, agentId),
          isNotNull(c.endedAt),
          isNull(c.wrapUpEndedAt),
        ),
      )
      .returning();
    if (!row) throw new ConflictProblem('Only your ended chats can be wrapped up, once');
    return row;
  }

  /**
   * Turns a chat into a case the way intake does (tracking code, access token, `created` event,
   * routing job), copies the transcript into the case's messages and hands the resident the
   * tracking code and token in the chat. The agent who answered holds the case.
   */
  async toCase(
    tenantId: string,
    chatId: string,
    agentId: string,
    input: { categoryId: string; description?: string | undefined },
  ): Promise<{ caseId: string; trackingCode: string }> {
    const chat = await this.find(tenantId, chatId);
    if (chat.agentId !== agentId) throw new ConflictProblem('This is not your chat');
    if (chat.caseId) throw new ConflictProblem('This chat is already a case', { caseId: chat.caseId });
    const [category] = await this.db
      .select()
      .from(schema.categories)
      .where(
        and(
          eq(schema.categories.tenantId, tenantId),
          eq(schema.categories.id, input.categoryId),
          eq(schema.categories.active, true),
        ),
      );
    if (!category) throw invalidField('categoryId', 'no such active category');
    const [tenant] = await this.db.select().from(schema.tenants).where(eq(schema.tenants.id, tenantId));
    const language = (await this.language(chatId)) ?? tenant!.defaultLanguage;
    const lines = await this.transcript(chatId);
    const description =
      input.description?.trim() ||
      lines
        .filter((l) => l.from === 'resident')
        .map((l) => l.body)
        .join('\n')
        .slice(0, 5000);
    if (!description)
      throw invalidField('description', 'the resident has said nothing yet; describe the case');

    const code = trackingCode();
    const accessToken = randomToken(24);
    const caseId = randomUUID();
    const now = new Date();
    await inCaseTransaction(this.writer, tenantId, async (unit) => {
      await unit.tx.insert(schema.cases).values({
        id: caseId,
        tenantId,
        trackingCode: code,
        accessTokenHash: sha256(accessToken),
        channel: 'chat',
        categoryId: category.id,
        description,
        language,
        sensitive: category.sensitive,
        claimedBy: agentId,
        claimedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      // Two clicks on "make a case" race here; the second finds case_id set and rolls back.
      const linked = await unit.tx
        .update(schema.contacts)
        .set({ caseId })
        .where(
          and(
            eq(schema.contacts.tenantId, tenantId),
            eq(schema.contacts.id, chatId),
            isNull(schema.contacts.caseId),
          ),
        )
        .returning({ id: schema.contacts.id });
      if (!linked.length) throw new ConflictProblem('This chat is already a case');
      await unit.record([
        {
          tenantId,
          caseId,
          type: 'created',
          actor: { kind: 'staff', id: agentId },
          visibility: 'public',
          data: { channel: 'chat', contactId: chatId },
        },
      ]);
      if (lines.length) {
        await unit.tx.insert(schema.messages).values(
          lines.map((l) => ({
            tenantId,
            caseId,
            direction: l.from === 'resident' ? 'from_resident' : 'to_resident',
            body: l.body,
            authorStaffId: l.from === 'agent' ? (l.agentId ?? agentId) : null,
            createdAt: new Date(l.at),
          })),
        );
      }
      await unit.enqueue([
        { tenantId, queue: queueNames.routing, payload: { tenantId, caseId, reason: 'created' } },
        { tenantId, queue: queueNames.clocks, payload: { tenantId, caseId, reason: 'created' } },
      ]);
    });
    await this.announce({ kind: 'case', tenantId, chatId, trackingCode: code, accessToken });
    return { caseId, trackingCode: code };
  }

  /**
   * Chats whose resident's desk instance died: nobody refreshes their "alive" key any more. Every
   * instance sweeps; the conditional close makes the sweeps idempotent.
   */
  async sweepOrphans(): Promise<number> {
    const c = schema.contacts;
    const open = await this.db
      .select({ id: c.id, tenantId: c.tenantId })
      .from(c)
      .where(
        and(
          eq(c.channel, 'chat'),
          isNull(c.abandonedAt),
          isNull(c.endedAt),
          gt(c.offeredAt, sql`now() - interval '1 day'`),
          lt(c.offeredAt, new Date(Date.now() - this.aliveMs)),
        ),
      );
    let closed = 0;
    for (const chat of open) {
      if (await this.redis.exists(this.key(chat.id, 'alive'))) continue;
      if (await this.close(chat.tenantId, chat.id, 'system')) closed++;
    }
    return closed;
  }
}
