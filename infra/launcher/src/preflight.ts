import { createRedis, pingRedis } from '@samtal/queue';
import postgres from 'postgres';

const HOW_TO_START = {
  postgres: [
    'Start PostgreSQL, for example:',
    '  docker compose up -d postgres',
    'or, on a Debian machine with PostgreSQL installed:',
    '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  ],
  redis: [
    'Start Redis, for example:',
    '  docker compose up -d redis',
    'or, with redis-server installed:',
    '  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  ],
};

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Checks that PostgreSQL and Redis answer before anything else starts. Returns the list of
 * problems, each saying what is missing and how to start it; empty when both answer.
 */
export async function preflight(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    problems.push(
      [
        `PostgreSQL is not reachable at ${redact(databaseUrl)} (${(error as Error).message}).`,
        ...HOW_TO_START.postgres,
        'or point DATABASE_URL at a running server.',
      ].join('\n'),
    );
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
  const redis = createRedis(redisUrl, 'client');
  try {
    await pingRedis(redis, 3000);
  } catch (error) {
    problems.push(
      [
        `Redis is not reachable at ${redact(redisUrl)} (${(error as Error).message}).`,
        ...HOW_TO_START.redis,
        'or point REDIS_URL at a running server.',
      ].join('\n'),
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}
