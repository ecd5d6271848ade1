import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { TurnBatch } from '../turn-batch.ts';

type Counted = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * For each key: add the number of requests counted for it, start the window when the key is new,
 * and answer the new total with the time left. The same arithmetic as @fastify/rate-limit's
 * RedisStore (INCR, PEXPIRE on the first, PTTL otherwise), for many requests and keys at once.
 */
const COUNT_SCRIPT = `
local result = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local current = redis.call('INCRBY', key, n)
  local ttl = window
  if current == n then
    redis.call('PEXPIRE', key, window)
  else
    ttl = redis.call('PTTL', key)
  end
  result[i] = {current, ttl}
end
return result`;

interface Waiting {
  key: string;
  timeWindow: number;
  callback: Counted;
}

/** The requests of one turn of the event loop, shared by a store and its children. */
class Batch {
  private readonly turn = new TurnBatch<Waiting>((waiting) => this.send(waiting));

  constructor(private readonly redis: Redis & { samtalRateLimitCount?: unknown }) {
    if (!redis.samtalRateLimitCount) redis.defineCommand('samtalRateLimitCount', { lua: COUNT_SCRIPT });
  }

  add(key: string, timeWindow: number, callback: Counted): void {
    this.turn.add({ key, timeWindow, callback });
  }

  private send(waiting: Waiting[]): void {
    // One entry per key, its requests in the order they came.
    const byKey = new Map<string, { key: string; timeWindow: number; callbacks: Counted[] }>();
    for (const w of waiting) {
      const entry = byKey.get(w.key);
      if (entry) entry.callbacks.push(w.callback);
      else byKey.set(w.key, { key: w.key, timeWindow: w.timeWindow, callbacks: [w.callback] });
    }
    const entries = [...byKey.values()];
    const args: (string | number)[] = [entries.length, ...entries.map((e) => e.key)];
    for (const e of entries) args.push(e.callbacks.length, e.timeWindow);
    const redis = this.redis as unknown as {
      samtalRateLimitCount(...args: (string | number)[]): Promise<[number, number][]>;
    };
    redis.samtalRateLimitCount(...args).then(
      (results) => {
        entries.forEach((e, i) => {
          const [total, ttl] = results[i]!;
          // The requests of a key were counted in the order they came: the first gets the lowest count.
          let current = total - e.callbacks.length;
          for (const callback of e.callbacks) callback(null, { current: ++current, ttl });
        });
      },
      (error: Error) => {
        for (const e of entries) for (const callback of e.callbacks) callback(error);
      },
    );
  }
}

/**
 * A store for @fastify/rate-limit that counts in Redis exactly as its RedisStore does (every request
 * is counted in Redis before it is answered, so every intake instance shares the limit), but sends
 * the requests of one turn of the event loop in one script call instead of one call per request.
 * Under load that turns dozens of Redis writes and replies into one.
 */
export function batchedRedisStore(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  const batch = new Batch(redis);
  const store = (prefix: string): FastifyRateLimitStore => ({
    incr(key, callback, timeWindow) {
      batch.add(prefix + key, timeWindow, callback);
    },
    // The keys RedisStore would use, so instances of either kind count the same keys.
    child(routeOptions) {
      // What @fastify/rate-limit hands in is its merged options, with the route under `routeInfo`.
      const route = (routeOptions as unknown as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return store(`${prefix}${route?.method}${route?.url}-`);
    },
  });
  return function BatchedRedisStore() {
    return store(nameSpace);
  } as unknown as FastifyRateLimitStoreCtor;
}
