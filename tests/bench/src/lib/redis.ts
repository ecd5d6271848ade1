import { Redis } from 'ioredis';

export function openRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Removes every key under a benchmark's prefix. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = openRedis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
