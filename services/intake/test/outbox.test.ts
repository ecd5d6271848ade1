import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schema } from '@samtal/db';
import { createRedis, pingRedis, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { Queue } from 'bullmq';
import { isNull } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { IntakeRelay } from '../src/relay.ts';
import { startIntake, submit } from './helpers.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Redis of this test's own (with an append-only file, so a restart keeps what it had). */
class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const probe = createRedis(this.url, 'client');
    try {
      for (let i = 0; i < 50; i++) {
        if (
          await pingRedis(probe, 200).then(
            () => true,
            () => false,
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('redis-server did not start');
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('outbox while Redis is stopped and restarted', () => {
  const ctx = useTestContext();
  let redis: OwnRedis | undefined;

  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps accepting inquiries, then relays every case to the routing queue exactly once', async () => {
    redis = new OwnRedis(await freePort(), await mkdtemp(join(tmpdir(), 'samtal-redis-')));
    await redis.start();
    const producer = createRedis(redis.url, 'producer');
    const queues = { connection: producer, prefix: ctx.queuePrefix };
    const relay = new IntakeRelay({
      db: ctx.database.db,
      queues,
      sweepMs: 200,
      graceMs: 300,
      timeoutMs: 500,
    });
    relay.start();
    const h = await startIntake(ctx, { queues, relay });

    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await submit(h.app);
      expect(res.statusCode).toBe(201);
      codes.push(res.json().trackingCode);
    }
    await relay.settled();

    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const res = await submit(h.app);
      expect(res.statusCode).toBe(201);
      // The outbox, not Redis, is what the request waits for.
      expect(Date.now() - started).toBeLessThan(1500);
      codes.push(res.json().trackingCode);
    }
    await relay.settled();
    const waiting = await ctx.database.db.select().from(schema.outbox).where(isNull(schema.outbox.sentAt));
    expect(waiting.length).toBeGreaterThanOrEqual(5);

    await redis.start();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const unsent = await ctx.database.db.select().from(schema.outbox).where(isNull(schema.outbox.sentAt));
      if (!unsent.length) break;
      if (Date.now() > deadline) throw new Error(`${unsent.length} outbox rows still unsent`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const reader = createRedis(redis.url, 'client');
    const queue = new Queue(queueNames.routing, { connection: reader, prefix: ctx.queuePrefix });
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const cases = await ctx.database.db.select({ id: schema.cases.id }).from(schema.cases);
    expect(cases).toHaveLength(10);
    expect(jobs).toHaveLength(10);
    expect(jobs.map((j) => j.data.caseId).sort()).toEqual(cases.map((c) => c.id).sort());
    expect(new Set(jobs.map((j) => j.id)).size).toBe(10);

    await queue.close();
    reader.disconnect();
    await h.app.close();
    await relay.stop();
    producer.disconnect();
  }, 60_000);
});
