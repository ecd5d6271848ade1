import { z } from 'zod';
import type { App } from './server.ts';

export type HealthCheck = () => Promise<void>;

const healthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.object({ status: z.enum(['ok', 'down']), error: z.string().optional() })),
});

/**
 * `GET /health`: 200 when every dependency answers, 503 naming the ones that do not.
 * Each check gets its own deadline so one hung dependency cannot hang the probe.
 */
export function registerHealth(app: App, checks: Record<string, HealthCheck>, timeoutMs = 2000): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and dependency health',
        tags: ['operations'],
        response: { 200: healthResponse, 503: healthResponse },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              check(),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
              }),
            ]);
            return [name, { status: 'ok' as const }] as const;
          } catch (error) {
            return [
              name,
              { status: 'down' as const, error: (error as Error).message || 'unreachable' },
            ] as const;
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      const down = results.filter(([, r]) => r.status === 'down');
      return reply
        .code(down.length ? 503 : 200)
        .send({ status: down.length ? 'unavailable' : 'ok', checks: Object.fromEntries(results) });
    },
  );
}
