import { randomUUID } from 'node:crypto';
import { caseEventsChannel } from '@samtal/cases';
import type { DbHandle } from '@samtal/db';
import type { PresenceStatus } from '@samtal/domain';
import { can, type StaffPrincipal } from '@samtal/staff-auth';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { liveSocketsKey, presenceChannel } from './channels.ts';
import { currentPresence, type PresenceAnnouncement, setPresence } from './presence-store.ts';
import { EventTail, type LiveEvent, selectLiveEvents, toLiveEvent } from './tail.ts';
import { type CaseScope, canSeeCase, canWatchDepartment } from './visibility.ts';

/** Queues of the contact centre: `new` (just arrived), `triage` (new, returned, reopened). */
const queueStatuses = {
  new: new Set(['new']),
  triage: new Set(['new', 'returned', 'reopened']),
} as const;

export const liveTopic = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('queue'), queue: z.enum(['triage', 'new']) }),
  z.object({ kind: z.literal('department'), departmentId: z.uuid() }),
  z.object({ kind: z.literal('case'), caseId: z.uuid() }),
  z.object({ kind: z.literal('presence') }),
]);
export type LiveTopic = z.infer<typeof liveTopic>;

/** What a staff client may send. */
export const liveClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    topics: z.array(liveTopic).min(1).max(200),
    /** On the first subscribe after a reconnect: the last event id seen; everything after it follows. */
    lastEventId: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(liveTopic).min(1).max(200) }),
  z.object({ type: z.literal('ping') }),
]);

export interface LiveClient {
  readonly id: string;
  readonly socket: WebSocket;
  readonly principal: StaffPrincipal;
  readonly queues: Set<'triage' | 'new'>;
  readonly departments: Set<string>;
  readonly cases: Set<string>;
  presence: boolean;
  subscribed: boolean;
  /** Highest event id this client has been given or judged not for it. */
  cursor: number;
  /** While reading missed events from PostgreSQL, live events wait here. */
  catchingUp: boolean;
  buffered: LiveEvent[];
  alive: boolean;
}

export interface LiveHubOptions {
  db: DbHandle;
  /** Dedicated pub/sub connection (one subscription per desk instance). */
  subscriber: Redis;
  /** Ordinary connection for commands and PUBLISH. */
  redis: Redis;
  prefix: string;
  heartbeatMs: number;
  maxBufferedBytes: number;
  offlineGraceMs: number;
  /** Safety net for missed announcements (Redis down): poll PostgreSQL this often. */
  pollMs?: number;
  /** A reconnect that missed more events than this gets `reset` (reload lists) instead of a replay. */
  catchUpLimit?: number;
  log: FastifyBaseLogger;
}

export type ChannelHandler = (message: unknown) => void;

const OPEN = 1;

/**
 * One per desk instance: follows case events (woken by Redis pub/sub, read from PostgreSQL in id
 * order), presence and chat channels, and fans them out to this instance's sockets, each filtered
 * by its subscriptions and what its staff member may see.
 */
export class LiveHub {
  readonly clients = new Set<LiveClient>();
  private readonly tail: EventTail;
  private readonly presence = new Map<string, PresenceStatus>();
  private readonly handlers = new Map<string, ChannelHandler>();
  private readonly heartbeatHooks: (() => Promise<void> | void)[] = [];
  private readonly work = new Set<Promise<unknown>>();
  private readonly offlineTimers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private started = false;

  constructor(readonly options: LiveHubOptions) {
    this.tail = new EventTail({
      sql: options.db.sql,
      deliver: (events, horizon) => this.dispatch(events, horizon),
      onWarning: (message, details) => options.log.warn(details, message),
    });
    this.handlers.set(caseEventsChannel(options.prefix), () => this.track(this.tail.poll()));
    this.handlers.set(presenceChannel(options.prefix), (m) => this.onPresence(m as PresenceAnnouncement));
  }

  /** Another module (chat) listens on a channel of its own through the hub's subscription. */
  onChannel(channel: string, handler: ChannelHandler): void {
    if (this.started) throw new Error('register channels before the hub starts');
    this.handlers.set(channel, handler);
  }

  onHeartbeat(hook: () => Promise<void> | void): void {
    this.heartbeatHooks.push(hook);
  }

  /** Runs `promise` as background work that `stop()` waits for; failures are logged. */
  track<T>(promise: Promise<T>): Promise<T | undefined> {
    const tracked = promise.catch((err) => {
      this.options.log.error({ err }, 'live: background work failed');
      return undefined;
    });
    this.work.add(tracked);
    void tracked.finally(() => this.work.delete(tracked));
    return tracked;
  }

  private readonly onMessage = (channel: string, message: string) => {
    const handler = this.handlers.get(channel);
    if (!handler) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    handler(parsed);
  };

  async start(): Promise<void> {
    await this.tail.start();
    this.started = true;
    this.options.subscriber.on('message', this.onMessage);
    await this.options.subscriber.subscribe(...this.handlers.keys());
    this.heartbeat = setInterval(() => void this.track(this.beat()), this.options.heartbeatMs);
    this.poller = setInterval(() => void this.track(this.tail.poll()), this.options.pollMs ?? 2000);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.poller);
    for (const timer of this.offlineTimers) clearTimeout(timer);
    this.options.subscriber.off('message', this.onMessage);
    if (this.started) await this.options.subscriber.unsubscribe(...this.handlers.keys()).catch(() => {});
    await this.tail.stop();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    while (this.work.size) await Promise.all([...this.work]);
  }

  get cursor(): number {
    return this.tail.cursor;
  }

  // ─── sockets ──────────────────────────────────────────────────────────────────────────────

  add(socket: WebSocket, principal: StaffPrincipal): LiveClient {
    const client: LiveClient = {
      id: randomUUID(),
      socket,
      principal,
      queues: new Set(),
      departments: new Set(),
      cases: new Set(),
      presence: false,
      subscribed: false,
      cursor: this.tail.cursor,
      catchingUp: false,
      buffered: [],
      alive: true,
    };
    this.clients.add(client);
    this.track(this.registerSocket(client));
    this.send(client, { type: 'ready', cursor: this.tail.cursor });
    return client;
  }

  remove(client: LiveClient): void {
    if (!this.clients.delete(client)) return;
    const { prefix, redis, offlineGraceMs } = this.options;
    const key = liveSocketsKey(prefix, client.principal.userId);
    this.track(redis.zrem(key, client.id));
    const timer = setTimeout(() => {
      this.offlineTimers.delete(timer);
      this.track(this.offlineIfNoSockets(client.principal));
    }, offlineGraceMs);
    this.offlineTimers.add(timer);
  }

  private async registerSocket(client: LiveClient) {
    const { prefix, redis, heartbeatMs, db } = this.options;
    await redis.zadd(
      liveSocketsKey(prefix, client.principal.userId),
      Date.now() + 3 * heartbeatMs,
      client.id,
    );
    const [state] = await currentPresence(db.db, client.principal.tenantId, [client.principal.userId]);
    if (state && !this.presence.has(state.userId)) this.presence.set(state.userId, state.status);
  }

  /** Marks a member offline when no desk instance has a live socket of theirs any more. */
  private async offlineIfNoSockets(principal: StaffPrincipal) {
    const { prefix, redis, db } = this.options;
    const key = liveSocketsKey(prefix, principal.userId);
    await redis.zremrangebyscore(key, '-inf', Date.now());
    if ((await redis.zcard(key)) > 0) return;
    await setPresence({ db: db.db, redis, prefix }, principal, 'offline');
  }

  /** Ping every socket; drop those that did not answer the previous ping; keep socket records fresh. */
  private async beat() {
    const { prefix, redis, heartbeatMs } = this.options;
    const pipeline = redis.pipeline();
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
      pipeline.zadd(liveSocketsKey(prefix, client.principal.userId), Date.now() + 3 * heartbeatMs, client.id);
      pipeline.pexpire(liveSocketsKey(prefix, client.principal.userId), 6 * heartbeatMs);
    }
    if (pipeline.length) await pipeline.exec();
    await Promise.all(this.heartbeatHooks.map((hook) => hook()));
  }

  /**
   * Sends one message; a socket whose unsent bytes would grow past the limit is dropped (a slow
   * client must not hold the instance's memory; it reconnects and resumes from its last id).
   */
  send(client: LiveClient, message: Record<string, unknown>): boolean {
    if (client.socket.readyState !== OPEN) return false;
    const data = JSON.stringify(message);
    if (client.socket.bufferedAmount + Buffer.byteLength(data) > this.options.maxBufferedBytes) {
      this.options.log.warn(
        { userId: client.principal.userId },
        'live: dropping a socket that does not keep up',
      );
      client.socket.terminate();
      return false;
    }
    client.socket.send(data);
    return true;
  }

  /** Sends to this instance's sockets of a tenant that pass `filter`. */
  broadcast(tenantId: string, filter: (client: LiveClient) => boolean, message: Record<string, unknown>) {
    for (const client of this.clients) {
      if (client.principal.tenantId === tenantId && filter(client)) this.send(client, message);
    }
  }

  presenceOf(userId: string): PresenceStatus {
    return this.presence.get(userId) ?? 'offline';
  }

  // ─── client messages ──────────────────────────────────────────────────────────────────────

  async handleMessage(client: LiveClient, raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.send(client, { type: 'error', code: 'bad_json', message: 'Messages are JSON objects' });
      return;
    }
    const parsed = liveClientMessage.safeParse(json);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
      this.send(client, { type: 'error', code: 'invalid', message: message.join('; ') });
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'ping') {
      this.send(client, { type: 'pong', cursor: client.subscribed ? client.cursor : this.tail.cursor });
      return;
    }
    if (msg.type === 'unsubscribe') {
      for (const topic of msg.topics) this.applyTopic(client, topic, false);
      this.send(client, { type: 'unsubscribed', topics: msg.topics });
      return;
    }
    const refused = await this.refusedTopics(client.principal, msg.topics);
    if (refused.length) {
      this.send(client, {
        type: 'error',
        code: 'forbidden',
        message: 'You may not follow these topics',
        topics: refused,
      });
    }
    const allowed = msg.topics.filter((t) => !refused.includes(t));
    for (const topic of allowed) this.applyTopic(client, topic, true);
    const first = !client.subscribed;
    client.subscribed = true;
    if (first && msg.lastEventId !== undefined && msg.lastEventId < this.tail.cursor) {
      this.send(client, { type: 'subscribed', topics: allowed, cursor: msg.lastEventId });
      await this.catchUp(client, msg.lastEventId);
    } else {
      // A client resuming from an id this instance has not reached yet must not get it twice.
      if (first) client.cursor = Math.max(this.tail.cursor, msg.lastEventId ?? 0);
      this.send(client, { type: 'subscribed', topics: allowed, cursor: client.cursor });
    }
  }

  private applyTopic(client: LiveClient, topic: LiveTopic, on: boolean) {
    const set = <T>(s: Set<T>, v: T) => (on ? s.add(v) : s.delete(v));
    if (topic.kind === 'queue') set(client.queues, topic.queue);
    else if (topic.kind === 'department') set(client.departments, topic.departmentId);
    else if (topic.kind === 'case') set(client.cases, topic.caseId);
    else client.presence = on;
  }

  private async refusedTopics(principal: StaffPrincipal, topics: LiveTopic[]): Promise<LiveTopic[]> {
    const refused: LiveTopic[] = [];
    for (const topic of topics) {
      if (topic.kind === 'queue' && !can(principal.roles, 'cases.agent')) refused.push(topic);
      if (topic.kind === 'department' && !canWatchDepartment(principal, topic.departmentId))
        refused.push(topic);
      if (topic.kind === 'presence' && !can(principal.roles, 'presence.read')) refused.push(topic);
      if (topic.kind === 'case') {
        const scope = await this.caseScope(principal.tenantId, topic.caseId);
        if (!scope || !canSeeCase(principal, scope)) refused.push(topic);
      }
    }
    return refused;
  }

  private async caseScope(tenantId: string, caseId: string): Promise<CaseScope | undefined> {
    const { sql } = this.options.db;
    const [row] = await sql`
      select c.tenant_id, c.lead_department_id, c.claimed_by, c.sensitive,
             array(select d.department_id from case_assisting_departments d
                    where d.tenant_id = c.tenant_id and d.case_id = c.id) as assisting
      from cases c where c.tenant_id = ${tenantId} and c.id = ${caseId}`;
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id as string,
      leadDepartmentId: (row.lead_department_id as string | null) ?? null,
      assistingDepartmentIds: (row.assisting as string[]) ?? [],
      claimedBy: (row.claimed_by as string | null) ?? null,
      sensitive: row.sensitive as boolean,
    };
  }

  // ─── events ───────────────────────────────────────────────────────────────────────────────

  private matches(client: LiveClient, event: LiveEvent): boolean {
    if (client.cases.has(event.caseId)) return true;
    const from = typeof event.data.from === 'string' ? event.data.from : undefined;
    for (const queue of client.queues) {
      const statuses = queueStatuses[queue];
      // Also the event that takes a case out of the queue, so the queue view can drop it.
      if (statuses.has(event.case.status) || (from && statuses.has(from)) || event.type === 'created')
        return true;
    }
    if (client.departments.size) {
      const { leadDepartmentId, assistingDepartmentIds } = event.case;
      if (leadDepartmentId && client.departments.has(leadDepartmentId)) return true;
      if (assistingDepartmentIds.some((d) => client.departments.has(d))) return true;
      for (const key of ['departmentId', 'fromDepartmentId', 'leadDepartmentId']) {
        const value = event.data[key];
        if (typeof value === 'string' && client.departments.has(value)) return true;
      }
    }
    return false;
  }

  /** Gives a client the events after its cursor that it follows and may see; moves its cursor. */
  private deliver(client: LiveClient, events: LiveEvent[]) {
    for (const event of events) {
      if (event.id <= client.cursor) continue;
      client.cursor = event.id;
      if (event.tenantId !== client.principal.tenantId) continue;
      if (
        !this.matches(client, event) ||
        !canSeeCase(client.principal, { tenantId: event.tenantId, ...event.case })
      )
        continue;
      if (!this.send(client, { type: 'event', id: event.id, event })) return;
    }
  }

  private dispatch(events: LiveEvent[], horizon: number) {
    for (const client of this.clients) {
      if (!client.subscribed) continue;
      if (client.catchingUp) {
        client.buffered.push(...events);
        continue;
      }
      this.deliver(client, events);
      if (client.cursor < horizon) client.cursor = horizon;
    }
  }

  /**
   * Replays what a reconnecting client missed, from PostgreSQL, up to the horizon at the moment it
   * asked; live events that arrive meanwhile wait in its buffer and follow, skipping ids already sent.
   */
  private async catchUp(client: LiveClient, since: number) {
    const { sql } = this.options.db;
    const limit = this.options.catchUpLimit ?? 10_000;
    const target = this.tail.cursor;
    client.catchingUp = true;
    client.cursor = since;
    try {
      const page = 1000;
      let read = 0;
      for (let from = since; from < target; ) {
        const rows = await selectLiveEvents(
          sql,
          sql`e.tenant_id = ${client.principal.tenantId} and e.id > ${from} and e.id <= ${target}`,
          page,
        );
        const events = rows.map(toLiveEvent);
        read += events.length;
        if (read > limit) {
          client.cursor = target;
          this.send(client, { type: 'reset', cursor: target, reason: 'too many missed events; reload' });
          break;
        }
        this.deliver(client, events);
        if (events.length < page) break;
        from = events[events.length - 1]!.id;
      }
      if (client.cursor < target) client.cursor = target;
    } finally {
      const waiting = client.buffered;
      client.buffered = [];
      client.catchingUp = false;
      this.deliver(client, waiting);
      const last = waiting[waiting.length - 1];
      if (last && client.cursor < last.id) client.cursor = last.id;
    }
    this.send(client, { type: 'caught_up', cursor: client.cursor });
  }

  // ─── presence ─────────────────────────────────────────────────────────────────────────────

  private onPresence(message: PresenceAnnouncement) {
    this.presence.set(message.userId, message.status);
    this.broadcast(message.tenantId, (c) => c.presence && can(c.principal.roles, 'presence.read'), {
      type: 'presence',
      userId: message.userId,
      displayName: message.displayName,
      status: message.status,
      since: message.since,
    });
  }
}
