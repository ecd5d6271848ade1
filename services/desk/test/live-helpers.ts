import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseWriter, inCaseTransaction, OutboxRelay } from '@samtal/cases';
import type { DeskConfig } from '@samtal/config';
import { DEMO_PASSWORD, type DemoTenant, schema } from '@samtal/db';
import { createRedis } from '@samtal/queue';
import { signIn } from '@samtal/staff-auth';
import type { TestContext } from '@samtal/testing';
import WebSocket from 'ws';
import { buildApp } from '../src/app.ts';

type LiveConfig = Partial<
  Pick<
    DeskConfig,
    'LIVE_HEARTBEAT_MS' | 'LIVE_POLL_MS' | 'LIVE_MAX_BUFFERED_BYTES' | 'PRESENCE_OFFLINE_GRACE_MS'
  >
>;

/** A listening desk instance with a pub/sub connection of its own (several may share a database). */
export async function startDesk(ctx: TestContext, config: LiveConfig = {}) {
  const relay = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
  const subscriber = createRedis(ctx.redisUrl, 'worker');
  const app = await buildApp({
    config: {
      TRUST_PROXY: false,
      SESSION_TTL_HOURS: 1,
      COOKIE_SECURE: false,
      UPLOAD_DIR: join(tmpdir(), 'samtal-desk-live-uploads'),
      ...config,
    },
    db: ctx.database,
    writer: { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay },
    subscriber,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: address.replace('http', 'ws'),
    async close() {
      await app.close();
      await relay.stop();
      subscriber.disconnect();
    },
  };
}

export type Desk = Awaited<ReturnType<typeof startDesk>>;

export function writerOf(ctx: TestContext): CaseWriter {
  const relay = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
  return { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay };
}

export async function tokenOf(ctx: TestContext, demo: DemoTenant, email: string) {
  const { token, principal } = await signIn(ctx.database.db, {
    tenantSlug: demo.slug,
    email,
    password: DEMO_PASSWORD,
  });
  return { token, principal, headers: { authorization: `Bearer ${token}` } };
}

export async function newCase(
  ctx: TestContext,
  demo: DemoTenant,
  values: Partial<typeof schema.cases.$inferInsert> = {},
) {
  const [row] = await ctx.database.db
    .insert(schema.cases)
    .values({
      tenantId: demo.tenantId,
      trackingCode: `T${Math.random().toString(36).slice(2, 11)}`,
      accessTokenHash: 'x',
      channel: 'web',
      categoryId: demo.categories.pothole!,
      description: 'A hole in the road',
      language: 'sv',
      ...values,
    })
    .returning();
  return row!;
}

/** Commits one event (announced on pub/sub, as every service does) and returns its id. */
export async function commitEvent(
  writer: CaseWriter,
  tenantId: string,
  caseId: string,
  type = 'note_added',
  data: Record<string, unknown> = {},
) {
  const [row] = await inCaseTransaction(writer, tenantId, (unit) =>
    unit.record([{ tenantId, caseId, type, actor: { kind: 'system' }, data }]),
  );
  return row!.id;
}

type Message = Record<string, unknown> & { type: string };

/** A real WebSocket client that keeps every message it receives. */
export class LiveClient {
  readonly messages: Message[] = [];
  readonly ws: WebSocket;
  closed: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<LiveClient> {
    const client = new LiveClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      client.ws.once('error', reject);
    });
    return client;
  }

  send(message: Record<string, unknown>) {
    this.ws.send(JSON.stringify(message));
  }

  /** Waits until a received message matches (searching from `from`); returns it. */
  async waitFor(match: (m: Message) => boolean, timeoutMs = 5000, from = 0): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  events(): { id: number; caseId: string; type: string; data: Record<string, unknown> }[] {
    return this.messages
      .filter((m) => m.type === 'event')
      .map((m) => m.event as { id: number; caseId: string; type: string; data: Record<string, unknown> });
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
