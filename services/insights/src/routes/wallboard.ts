import { z } from 'zod';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, format } from '../schemas.ts';
import { sendTable } from '../send.ts';
import { AT_RISK_MINUTES, wallboardSnapshot } from '../wallboard.ts';
import type { InsightsRoutes } from './types.ts';

const snapshot = z.object({
  at: z.string(),
  contactsWaiting: z
    .number()
    .int()
    .describe('Contacts offered in the last 24 h, not yet answered, abandoned or ended'),
  longestWaitSeconds: z.number().nullable().describe('How long the oldest waiting contact has waited'),
  agentsByStatus: z.record(z.string(), z.number().int()).describe('Staff per current presence status'),
  today: z.object({
    offered: z.number().int(),
    answeredWithinThreshold: z.number().int(),
    serviceLevelSeconds: z.number().int(),
    serviceLevel: z.number().nullable().describe('Today (local day) so far: answered within Y ÷ offered'),
  }),
  casesAtRisk: z
    .object({
      count: z.number().int(),
      cases: z.array(
        z.object({
          trackingCode: z.string(),
          kind: z.enum(['first_response', 'resolution']),
          dueAt: z.string(),
          breached: z.boolean(),
        }),
      ),
    })
    .describe(
      `Open cases whose first-response or resolution deadline is within ${AT_RISK_MINUTES} minutes, or passed less than ${AT_RISK_MINUTES} minutes ago; up to 20 listed, sensitive cases counted only`,
    ),
});

const query = z.object({
  serviceLevelSeconds: z.coerce.number().int().min(1).max(3600).default(20),
});

export const wallboardRoutes: InsightsRoutes = async (app, deps) => {
  app.get(
    '/v1/wallboard',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Live wallboard snapshot',
        tags: ['wallboard'],
        querystring: query.extend({ format }),
        response: { 200: snapshot, ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const tenant = await deps.tenant(staff.tenantId);
      const body = await wallboardSnapshot(deps.db, tenant, deps.now(), request.query.serviceLevelSeconds);
      return sendTable(
        reply,
        request.query.format,
        body,
        () => [{ ...body, casesAtRisk: body.casesAtRisk.count }],
        'wallboard',
      );
    },
  );

  app.get(
    '/v1/wallboard/ws',
    {
      onRequest: insightsGuard(),
      websocket: true,
      schema: {
        summary: 'Live wallboard over WebSocket',
        description:
          'Sends a snapshot (the same JSON as GET /v1/wallboard) on connect and then every few seconds (WALLBOARD_INTERVAL_MS).',
        tags: ['wallboard'],
        querystring: query,
      },
    },
    (socket, request) => {
      // The error listener goes on before anything awaits, so a broken socket never goes unhandled.
      socket.on('error', (err) => request.log.warn({ err }, 'wallboard socket error'));
      const staff = requireInsights(request);
      const threshold = (request.query as z.infer<typeof query>).serviceLevelSeconds;
      deps.metrics.wallboardClients.inc();
      let closed = false;
      let sending = false;
      const push = async () => {
        if (closed || sending) return;
        sending = true;
        try {
          const tenant = await deps.tenant(staff.tenantId);
          const body = await wallboardSnapshot(deps.db, tenant, deps.now(), threshold);
          if (!closed) socket.send(JSON.stringify({ type: 'wallboard', ...body }));
        } catch (err) {
          request.log.error({ err }, 'wallboard snapshot failed');
        } finally {
          sending = false;
        }
      };
      const timer = setInterval(push, deps.wallboardIntervalMs);
      socket.on('close', () => {
        closed = true;
        clearInterval(timer);
        deps.metrics.wallboardClients.dec();
      });
      void push();
    },
  );
};
