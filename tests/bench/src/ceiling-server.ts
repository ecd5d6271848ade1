/**
 * The intake ceiling (after ../shared/bench/server.mjs, mode `pg`): bare Fastify, a zod check of
 * the same inquiry body intake takes, and one `INSERT … RETURNING id` through postgres.js (pool 10).
 * No tenant lookup, no transaction, no event, no outbox, no Redis. Usage:
 *   node --import tsx tests/bench/src/ceiling-server.ts <port> <database-url>
 */
import Fastify from 'fastify';
import postgres from 'postgres';
import { z } from 'zod';

const port = Number(process.argv[2]);
const url = process.argv[3]!;
const sql = postgres(url, { max: 10, onnotice: () => {} });
await sql.unsafe(`
  create table if not exists bench_ceiling (
    id          uuid primary key default gen_random_uuid(),
    created_at  timestamptz not null default now(),
    service_code text not null,
    description text not null,
    latitude    double precision,
    longitude   double precision,
    contact_email text,
    language    text,
    channel     text not null,
    status      text not null default 'new',
    payload     jsonb not null
  )`);

const body = z.object({
  serviceCode: z.string().trim().min(1).max(100),
  description: z.string().trim().min(1).max(4000),
  location: z
    .object({
      lat: z.number().min(-90).max(90),
      long: z.number().min(-180).max(180),
      address: z.string().max(500),
    })
    .partial()
    .optional(),
  attributes: z.record(z.string().max(100), z.union([z.string().max(4000), z.number()])).optional(),
  contact: z
    .object({ name: z.string().max(200), email: z.email().max(320) })
    .partial()
    .optional(),
  language: z.string().max(20).optional(),
  channel: z.enum(['web', 'chat', 'app', 'phone', 'walk_in', 'email']).default('web'),
});

const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.post('/v1/inquiries', async (request, reply) => {
  const parsed = body.safeParse(request.body);
  if (!parsed.success) return reply.code(400).send({ error: 'invalid' });
  const v = parsed.data;
  const [row] = await sql`
    insert into bench_ceiling (service_code, description, latitude, longitude, contact_email, language, channel, payload)
    values (${v.serviceCode}, ${v.description}, ${v.location?.lat ?? null}, ${v.location?.long ?? null},
            ${v.contact?.email ?? null}, ${v.language ?? null}, ${v.channel}, ${sql.json(v)})
    returning id`;
  return reply.code(201).send({ id: row!.id });
});

const shutdown = async () => {
  await app.close().catch(() => {});
  await sql.end({ timeout: 2 }).catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
await app.listen({ host: '127.0.0.1', port });
