import { z } from 'zod';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { refreshRollups } from '../rollups.ts';
import { errorResponses, isoDate } from '../schemas.ts';
import type { InsightsRoutes } from './types.ts';

export const rollupRoutes: InsightsRoutes = async (app, deps) => {
  app.post(
    '/v1/rollups/refresh',
    {
      onRequest: insightsGuard('insights.import'),
      schema: {
        summary: 'Bring this municipality’s indicator rollups up to date now',
        description:
          'The rollup job does this every ROLLUP_REFRESH_MS; this is for right after an import. Recomputes every day changed since the last refresh, the last 7 days, and the days given.',
        tags: ['operations'],
        body: z.object({ days: z.array(isoDate).max(400).default([]) }).default({ days: [] }),
        response: { 200: z.object({ days: z.array(z.string()) }), ...errorResponses },
      },
    },
    async (request) => {
      const staff = requireInsights(request, 'insights.import');
      const tenant = await deps.tenant(staff.tenantId);
      const days = await refreshRollups(
        deps.db,
        tenant,
        { businessMinutes: deps.businessMinutes, now: deps.now() },
        request.body.days,
      );
      deps.metrics.rollupDays.inc(days.length);
      return { days };
    },
  );
};
