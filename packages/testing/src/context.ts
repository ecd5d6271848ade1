import { randomBytes } from 'node:crypto';
import { createDb, type DbHandle } from '@samtal/db';
import { createRedis, type QueueContext } from '@samtal/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { admin, adminUrl, ensureTemplate, testConfig } from './template.ts';

export interface TestContext {
  /** A database of this test file's own, cloned from the migrated template. */
  databaseUrl: string;
  database: DbHandle;
  redisUrl: string;
  /** A Redis connection for this file (producer settings). */
  redis: Redis;
  /** A queue prefix of this file's own. */
  queuePrefix: string;
  queues: QueueContext;
  /** Set for a helper that only needs the names (e.g. a child process). */
  databaseName: string;
}

async function cloneTemplate(name: string): Promise<void> {
  const template = await ensureTemplate();
  const sql = admin();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.unsafe(`create database "${name}" template "${template}"`);
        return;
      } catch (error) {
        // 55006: the template is busy (another file cloning at the same instant); wait and retry.
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const sql = admin();
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function createTestContext(): Promise<TestContext & { dispose(): Promise<void> }> {
  const id = randomBytes(5).toString('hex');
  const databaseName = `samtal_test_${id}`;
  await cloneTemplate(databaseName);
  const databaseUrl = adminUrl(databaseName);
  const database = createDb(databaseUrl, { max: 5, applicationName: 'samtal-test' });
  const redis = createRedis(testConfig.REDIS_URL, 'client');
  const queuePrefix = `samtal-test-${id}`;
  return {
    databaseUrl,
    databaseName,
    database,
    redisUrl: testConfig.REDIS_URL,
    redis,
    queuePrefix,
    queues: { connection: redis, prefix: queuePrefix },
    async dispose() {
      await database.close().catch(() => {});
      await deleteKeys(redis, queuePrefix).catch(() => {});
      redis.disconnect();
      await dropDatabase(databaseName);
    },
  };
}

/**
 * For a test file: `const ctx = useTestContext();` then use `ctx.database` etc. inside tests.
 * The database and queue prefix are made before the file's tests and removed after them.
 */
export function useTestContext(): TestContext {
  let current: (TestContext & { dispose(): Promise<void> }) | undefined;
  beforeAll(async () => {
    current = await createTestContext();
  }, 60_000);
  afterAll(async () => {
    await current?.dispose();
  }, 60_000);
  return new Proxy({} as TestContext, {
    get(_target, key) {
      if (!current) throw new Error('useTestContext(): the context is only ready inside tests and hooks');
      return current[key as keyof TestContext];
    },
  });
}
