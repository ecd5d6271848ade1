import type { CaseWriter } from '@samtal/cases';
import { schema } from '@samtal/db';
import { languageTag } from '@samtal/domain';
import { invalidField, NotFoundProblem } from '@samtal/http';
import { can, requirePermission, staffOf } from '@samtal/staff-auth';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { chatChannel } from '../live/channels.ts';
import { type ChatAnnouncement, ChatService, type ContactRow } from './service.ts';

export interface ChatDeps {
  config: { LIVE_HEARTBEAT_MS?: number };
  writer: CaseWriter;
}

const residentMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), body: z.string().trim().min(1).max(4000) }),
  z.object({ type: z.literal('end') }),
]);

const chatParams = z.object({ chatId: z.uuid() });

const contactView = (c: ContactRow) => ({
  chatId: c.id,
  offeredAt: c.offeredAt.toISOString(),
  answeredAt: c.answeredAt?.toISOString() ?? null,
  abandonedAt: c.abandonedAt?.toISOString() ?? null,
  endedAt: c.endedAt?.toISOString() ?? null,
  wrapUpEndedAt: c.wrapUpEndedAt?.toISOString() ?? null,
  agentId: c.agentId,
  caseId: c.caseId,
});

interface ResidentSocket {
  socket: WebSocket;
  hideHandlerNames: boolean;
}

/**
 * Chat: residents open one over a public WebSocket (no account; tenant slug in the path); it is
 * offered live to agents who are available and may answer chats; one of them accepts over HTTP and
 * the conversation flows through the chat channel whichever instances the two sockets are on.
 */
export async function chatRoutes(fastify: FastifyInstance, deps: ChatDeps) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const hub = fastify.live;
  const heartbeatMs = deps.config.LIVE_HEARTBEAT_MS ?? 30_000;
  const chats = new ChatService(deps.writer, 3 * heartbeatMs);
  const residents = new Map<string, ResidentSocket>();

  const sendResident = (chatId: string, message: Record<string, unknown>) => {
    const resident = residents.get(chatId);
    if (resident?.socket.readyState === 1) resident.socket.send(JSON.stringify(message));
    return resident;
  };

  hub.onChannel(chatChannel(deps.writer.prefix), (raw) => {
    const m = raw as ChatAnnouncement;
    const answerers = (c: Parameters<Parameters<typeof hub.broadcast>[1]>[0]) =>
      can(c.principal.roles, 'chat.answer');
    switch (m.kind) {
      case 'offered':
        hub.broadcast(m.tenantId, (c) => answerers(c) && hub.presenceOf(c.principal.userId) === 'available', {
          type: 'chat.offered',
          chatId: m.chatId,
          language: m.language,
          offeredAt: m.offeredAt,
        });
        break;
      case 'answered': {
        hub.broadcast(m.tenantId, answerers, { type: 'chat.answered', chatId: m.chatId, agentId: m.agentId });
        const resident = residents.get(m.chatId);
        sendResident(m.chatId, {
          type: 'answered',
          ...(resident?.hideHandlerNames ? {} : { agentName: m.agentName }),
        });
        break;
      }
      case 'message':
        if (m.from === 'resident') {
          hub.broadcast(m.tenantId, (c) => c.principal.userId === m.agentId, {
            type: 'chat.message',
            chatId: m.chatId,
            from: m.from,
            body: m.body,
            at: m.at,
          });
        } else {
          sendResident(m.chatId, { type: 'message', from: 'agent', body: m.body, at: m.at });
        }
        break;
      case 'closed': {
        hub.broadcast(m.tenantId, answerers, {
          type: 'chat.closed',
          chatId: m.chatId,
          outcome: m.outcome,
          by: m.by,
        });
        const resident = sendResident(m.chatId, { type: 'ended', outcome: m.outcome, by: m.by });
        if (resident && m.by !== 'resident') resident.socket.close(1000, 'chat ended');
        break;
      }
      case 'case':
        // Only the resident's socket gets the token; it is never stored in the transcript.
        sendResident(m.chatId, {
          type: 'case_created',
          trackingCode: m.trackingCode,
          accessToken: m.accessToken,
        });
        break;
    }
  });

  hub.onHeartbeat(async () => {
    await chats.keepAlive([...residents.keys()]);
    await chats.sweepOrphans();
  });

  // ─── the resident's side ──────────────────────────────────────────────────────────────────

  const opening = new WeakMap<FastifyRequest, { tenantId: string; language: string; hide: boolean }>();
  const publicQuery = z.object({ language: languageTag.optional() });

  app.get(
    '/v1/public/:tenantSlug/chat',
    {
      websocket: true,
      schema: { params: z.object({ tenantSlug: z.string().min(1).max(60) }), querystring: publicQuery },
      preValidation: async (request) => {
        const { tenantSlug } = request.params as { tenantSlug: string };
        const { language } = publicQuery.parse(request.query);
        const [tenant] = await deps.writer.db
          .select()
          .from(schema.tenants)
          .where(eq(schema.tenants.slug, tenantSlug));
        if (!tenant) throw new NotFoundProblem('No such municipality');
        if (language && !tenant.languages.includes(language)) {
          throw invalidField('language', `one of ${tenant.languages.join(', ')}`);
        }
        opening.set(request, {
          tenantId: tenant.id,
          language: language ?? tenant.defaultLanguage,
          hide: tenant.hideHandlerNames,
        });
      },
    },
    (socket, request) => {
      socket.on('error', (err) => request.log.debug({ err }, 'chat socket error'));
      const { tenantId, language, hide } = opening.get(request)!;
      let chatId: string | undefined;
      let gone = false;
      // Messages typed before the chat row exists wait for it, in order.
      let previous: Promise<unknown> = hub
        .track(chats.open(tenantId, language))
        .then(async (contact): Promise<void> => {
          if (!contact) {
            socket.close(1011, 'could not open the chat');
            return;
          }
          chatId = contact.id;
          if (gone) {
            await chats.close(tenantId, contact.id, 'resident');
            return;
          }
          residents.set(contact.id, { socket, hideHandlerNames: hide });
          socket.send(JSON.stringify({ type: 'opened', chatId, language, offeredAt: contact.offeredAt }));
        });
      socket.on('message', (data) => {
        previous = hub.track(
          previous.then(async () => {
            if (!chatId) return;
            let parsed: z.infer<typeof residentMessage>;
            try {
              parsed = residentMessage.parse(JSON.parse(data.toString()));
            } catch {
              socket.send(JSON.stringify({ type: 'error', message: 'Send {"type":"message","body":"…"}' }));
              return;
            }
            if (parsed.type === 'end') {
              await chats.close(tenantId, chatId, 'resident');
              socket.close(1000, 'chat ended');
              return;
            }
            const chat = await chats.find(tenantId, chatId);
            await chats.say(
              tenantId,
              chatId,
              { from: 'resident', body: parsed.body, at: new Date().toISOString() },
              chat.agentId,
            );
          }),
        );
      });
      socket.on('close', () => {
        gone = true;
        if (!chatId) return;
        residents.delete(chatId);
        // Leaving before an answer is an abandoned contact; after, the chat has ended.
        hub.track(chats.close(tenantId, chatId, 'resident'));
      });
    },
  );

  // ─── the agent's side ─────────────────────────────────────────────────────────────────────

  const answer = { preHandler: requirePermission('chat.answer') };

  app.get('/v1/chats', answer, async (request) => {
    const me = staffOf(request);
    const [waiting, mine] = await Promise.all([
      chats.waiting(me.tenantId),
      chats.activeOf(me.tenantId, me.userId),
    ]);
    return {
      waiting: await Promise.all(
        waiting.map(async (c) => ({ ...contactView(c), language: (await chats.language(c.id)) ?? null })),
      ),
      mine: mine.map(contactView),
    };
  });

  app.get('/v1/chats/:chatId', { ...answer, schema: { params: chatParams } }, async (request) => {
    const me = staffOf(request);
    const chat = await chats.find(me.tenantId, request.params.chatId);
    if (chat.agentId !== me.userId && !can(me.roles, 'presence.read'))
      throw new NotFoundProblem('No such chat');
    return { ...contactView(chat), transcript: await chats.transcript(chat.id) };
  });

  app.post('/v1/chats/:chatId/accept', { ...answer, schema: { params: chatParams } }, async (request) => {
    const me = staffOf(request);
    const chat = await chats.accept(me.tenantId, request.params.chatId, me);
    return {
      ...contactView(chat),
      language: (await chats.language(chat.id)) ?? null,
      transcript: await chats.transcript(chat.id),
    };
  });

  app.post(
    '/v1/chats/:chatId/messages',
    {
      ...answer,
      schema: { params: chatParams, body: z.object({ body: z.string().trim().min(1).max(4000) }) },
    },
    async (request, reply) => {
      const me = staffOf(request);
      const line = await chats.agentSays(me.tenantId, request.params.chatId, me.userId, request.body.body);
      return reply.code(201).send(line);
    },
  );

  app.post('/v1/chats/:chatId/end', { ...answer, schema: { params: chatParams } }, async (request) => {
    const me = staffOf(request);
    const closed = await chats.close(me.tenantId, request.params.chatId, 'agent', { agentId: me.userId });
    return contactView(closed ?? (await chats.find(me.tenantId, request.params.chatId)));
  });

  app.post('/v1/chats/:chatId/wrap-up', { ...answer, schema: { params: chatParams } }, async (request) => {
    const me = staffOf(request);
    return contactView(await chats.wrapUp(me.tenantId, request.params.chatId, me.userId));
  });

  app.post(
    '/v1/chats/:chatId/case',
    {
      preHandler: [requirePermission('chat.answer'), requirePermission('cases.agent')],
      schema: {
        params: chatParams,
        body: z.object({ categoryId: z.uuid(), description: z.string().trim().max(5000).optional() }),
      },
    },
    async (request, reply) => {
      const me = staffOf(request);
      const created = await chats.toCase(me.tenantId, request.params.chatId, me.userId, request.body);
      return reply.code(201).send(created);
    },
  );
}
