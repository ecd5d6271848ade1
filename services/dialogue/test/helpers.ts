import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DbHandle, schema as s, seedDemoMunicipality } from '@samtal/db';
import type { App } from '@samtal/http';
import { randomToken, sha256 } from '@samtal/security';
import type { TestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { buildApp } from '../src/app.ts';
import { diskStorage } from '../src/storage.ts';

export const SESSION_COOKIE = 'samtal_session';

export interface StaffSession {
  userId: string;
  /** Headers for inject: the session cookie and the CSRF header. */
  headers: Record<string, string>;
}

/**
 * Signs a staff user in the way the desk does: a random token in the cookie, its SHA-256 in
 * `staff_sessions`. Options make the session expired, revoked or older than "sign out everywhere".
 */
export async function signIn(
  db: DbHandle,
  tenantId: string,
  email: string,
  options: { expired?: boolean; revoked?: boolean; createdAt?: Date } = {},
): Promise<StaffSession> {
  const [user] = await db.db
    .select({ id: s.staffUsers.id })
    .from(s.staffUsers)
    .where(and(eq(s.staffUsers.tenantId, tenantId), eq(s.staffUsers.email, email)));
  if (!user) throw new Error(`no staff user ${email}`);
  const token = randomToken();
  const csrf = randomToken(16);
  const now = Date.now();
  await db.db.insert(s.staffSessions).values({
    tenantId,
    userId: user.id,
    tokenHash: sha256(token),
    csrfToken: csrf,
    createdAt: options.createdAt ?? new Date(now),
    expiresAt: new Date(options.expired ? now - 1000 : now + 3600_000),
    revokedAt: options.revoked ? new Date(now) : null,
  });
  return { userId: user.id, headers: { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrf } };
}

export interface Fixture {
  app: App;
  tenantId: string;
  slug: string;
  facilitator: StaffSession;
  manager: StaffSession;
  admin: StaffSession;
  agent: StaffSession;
  uploadDir: string;
  close(): Promise<void>;
}

/** A demo municipality (seeded under its own slug), the app, and signed-in staff. */
export async function fixture(
  ctx: TestContext,
  options: { slug?: string; uploadMaxBytes?: number; publicWritesPerMinute?: number } = {},
): Promise<Fixture> {
  const slug =
    options.slug ??
    `demo-${randomToken(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
  const demo = await seedDemoMunicipality(ctx.database.db, { slug, open311Key: randomToken() });
  const uploadDir = await mkdtemp(join(tmpdir(), 'samtal-dialogue-'));
  const app = await buildApp({
    config: {
      TRUST_PROXY: false,
      DIALOGUE_UPLOAD_MAX_BYTES: options.uploadMaxBytes ?? 1024 * 1024,
      DIALOGUE_PUBLIC_WRITES_PER_MINUTE: options.publicWritesPerMinute ?? 10_000,
    },
    db: ctx.database,
    storage: diskStorage(uploadDir),
  });
  const who = (role: string) => `${role}@${slug}.demo`;
  return {
    app,
    tenantId: demo.tenantId,
    slug,
    facilitator: await signIn(ctx.database, demo.tenantId, who('facilitator')),
    manager: await signIn(ctx.database, demo.tenantId, who('manager')),
    admin: await signIn(ctx.database, demo.tenantId, who('admin')),
    agent: await signIn(ctx.database, demo.tenantId, who('agent')),
    uploadDir,
    async close() {
      await app.close();
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

export const plan = {
  title: 'Trygghet i Bäckby centrum',
  question: 'Vad skulle få dig att känna dig tryggare i Bäckby centrum på kvällen?',
  purpose: 'Underlag till den nya belysningsplanen och trygghetsvandringar.',
  method: 'walk_and_talk',
  languages: ['sv', 'en'],
  targetGroups: { gender: { woman: 0.5, man: 0.5 } },
  sessions: [{ place: 'Bäckby centrum, torget', startsAt: '2026-09-10T18:00:00+02:00' }],
} as const;

/** Creates a dialogue and returns its id (asserting success). */
export async function createDialogue(f: Fixture, body: Record<string, unknown> = {}): Promise<string> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/v1/dialogues',
    headers: f.facilitator.headers,
    payload: { ...plan, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

export async function act(f: Fixture, dialogueId: string, action: 'open' | 'close' | 'report') {
  const res = await f.app.inject({
    method: 'POST',
    url: `/v1/dialogues/${dialogueId}/transitions`,
    headers: f.facilitator.headers,
    payload: { action },
  });
  if (res.statusCode !== 200) throw new Error(`${action} failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Row counts of the dialogue tables, to prove a rejected request wrote nothing. */
export async function counts(db: DbHandle, tenantId: string) {
  const tables = {
    participations: s.participations,
    demographicProfiles: s.demographicProfiles,
    contributions: s.contributions,
    outcomes: s.outcomes,
    outcomeLinks: s.outcomeLinks,
    surveyResponses: s.surveyResponses,
    surveyAnswers: s.surveyAnswers,
  } as const;
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables))
    out[name] = (await db.db.select().from(table).where(eq(table.tenantId, tenantId))).length;
  return out;
}
