import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseActionInput, inCaseTransaction, OutboxRelay } from '@samtal/cases';
import { type DbHandle, type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import type { App } from '@samtal/http';
import type { TestContext } from '@samtal/testing';
import { count, eq } from 'drizzle-orm';
import { buildApp, type IntakeDeps } from '../src/app.ts';

export const TENANT = { 'x-samtal-tenant': 'vasteras' };

/** A 1×1 PNG, and the first bytes of the other image types residents send. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
export const HEIC = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypheic'),
  Buffer.alloc(40, 2),
]);

export interface Harness {
  demo: DemoTenant;
  app: App;
  uploadDir: string;
}

export async function startIntake(
  ctx: TestContext,
  overrides: Omit<Partial<IntakeDeps>, 'config'> & { config?: Partial<IntakeDeps['config']> } = {},
  seed = true,
): Promise<Harness> {
  const demo = seed ? await seedDemoMunicipality(ctx.database.db) : (undefined as unknown as DemoTenant);
  const uploadDir = await mkdtemp(join(tmpdir(), 'samtal-intake-'));
  const app = await buildApp({
    db: ctx.database,
    queues: ctx.queues,
    cacheTtlMs: 0,
    ...overrides,
    config: {
      TRUST_PROXY: false,
      UPLOAD_DIR: uploadDir,
      RATE_LIMIT_PER_MINUTE: 100_000,
      ...overrides.config,
    },
  });
  return { demo, app, uploadDir };
}

export const pothole = {
  serviceCode: 'pothole',
  description: 'A deep hole in the cycle path outside the library',
  location: { lat: 59.611, long: 16.545, address: 'Biblioteksgatan 1' },
  attributes: { size: 'large', surface: ['cycleway', 'road'] },
};

export async function submit(app: App, body: unknown = pothole, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/v1/inquiries',
    headers: { ...TENANT, ...headers },
    payload: body as object,
  });
}

export async function rowCounts(database: DbHandle) {
  const tables = {
    cases: schema.cases,
    caseEvents: schema.caseEvents,
    outbox: schema.outbox,
    idempotencyKeys: schema.idempotencyKeys,
    demographicProfiles: schema.demographicProfiles,
    attachments: schema.attachments,
    messages: schema.messages,
    feedback: schema.feedback,
  };
  const entries = await Promise.all(
    Object.entries(tables).map(async ([name, table]) => {
      const [row] = await database.db.select({ n: count() }).from(table);
      return [name, row!.n] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<keyof typeof tables, number>;
}

export async function caseByCode(database: DbHandle, trackingCode: string) {
  const [row] = await database.db
    .select()
    .from(schema.cases)
    .where(eq(schema.cases.trackingCode, trackingCode));
  return row!;
}

/** Moves a case through staff actions, as the desk would. */
export async function act(ctx: TestContext, inputs: Omit<CaseActionInput, 'actor'>[], actorId?: string) {
  const relay = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues });
  for (const input of inputs) {
    await inCaseTransaction(
      { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay },
      input.tenantId,
      (unit) => unit.act({ ...input, actor: { kind: 'staff', id: actorId ?? null } }),
    );
  }
  await relay.stop();
}

export function multipart(
  parts: { name: string; value: string | Buffer; filename?: string; type?: string }[],
) {
  const boundary = `----samtal${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`,
      ),
      Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
