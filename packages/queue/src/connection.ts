import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections for BullMQ. Workers and QueueEvents block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`); producers fail fast so an HTTP request is not held hostage
 * while Redis is down (the outbox keeps the job until Redis returns).
 */
export function createRedis(url: string, role: 'producer' | 'worker' | 'client' = 'client'): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    // Commands wait for the (re)connection; a producer's give up after one reconnect attempt.
    enableOfflineQueue: true,
    // Keep reconnecting with a capped backoff; never give up on a city's queues.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  };
  const redis = new Redis(url, options);
  // A connection error is reported by health checks and job failures; without a listener ioredis
  // would print an unhandled-error warning on every reconnect attempt.
  redis.on('error', () => {});
  return redis;
}

export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer in time')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
