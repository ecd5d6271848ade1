import { type Database, schema } from '@samtal/db';
import { hashPassword, randomToken, sha256, verifyPassword } from '@samtal/security';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';

export interface StaffPrincipal {
  userId: string;
  tenantId: string;
  email: string;
  displayName: string;
  roles: string[];
  departmentIds: string[];
  sessionId: string;
  csrfToken: string;
}

export interface SessionPolicy {
  ttlHours: number;
  /** Failed sign-ins in a row before the account is locked … */
  maxFailures: number;
  /** … for this many minutes. */
  lockMinutes: number;
}

export const defaultSessionPolicy: SessionPolicy = { ttlHours: 12, maxFailures: 5, lockMinutes: 15 };

export class SignInError extends Error {
  override name = 'SignInError';
}

// Compared against when the e-mail is unknown, so the answer takes as long as for a known one.
const dummyHash = hashPassword('not-a-real-password-for-timing-only');

export interface SignInInput {
  tenantSlug: string;
  email: string;
  password: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/**
 * Checks the password and opens a session. Unknown e-mail, wrong password and a locked account
 * all fail with the same message, so the answer reveals nothing about which accounts exist.
 */
export async function signIn(
  db: Database,
  input: SignInInput,
  policy: SessionPolicy = defaultSessionPolicy,
): Promise<{ token: string; principal: StaffPrincipal; expiresAt: Date }> {
  const { staffUsers: u, tenants: t } = schema;
  const [user] = await db
    .select({ user: u })
    .from(u)
    .innerJoin(t, eq(t.id, u.tenantId))
    .where(and(eq(t.slug, input.tenantSlug), sql`lower(${u.email}) = lower(${input.email})`));
  const failure = new SignInError('Wrong e-mail or password, or the account is locked for a while');
  if (!user) {
    await verifyPassword(input.password, await dummyHash);
    throw failure;
  }
  const staff = user.user;
  const now = new Date();
  const passwordOk = await verifyPassword(input.password, staff.passwordHash);
  if (!staff.active || (staff.lockedUntil && staff.lockedUntil > now)) throw failure;
  if (!passwordOk) {
    const failures = staff.failedSignIns + 1;
    const lock = failures >= policy.maxFailures;
    await db
      .update(u)
      .set({
        failedSignIns: lock ? 0 : failures,
        lockedUntil: lock ? new Date(now.getTime() + policy.lockMinutes * 60_000) : staff.lockedUntil,
      })
      .where(eq(u.id, staff.id));
    await audit(db, staff.tenantId, staff.id, lock ? 'sign_in_locked' : 'sign_in_failed', input);
    throw failure;
  }
  await db.update(u).set({ failedSignIns: 0, lockedUntil: null }).where(eq(u.id, staff.id));
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + policy.ttlHours * 3600_000);
  const [session] = await db
    .insert(schema.staffSessions)
    .values({
      tenantId: staff.tenantId,
      userId: staff.id,
      tokenHash: sha256(token),
      csrfToken: randomToken(24),
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      expiresAt,
    })
    .returning();
  await audit(db, staff.tenantId, staff.id, 'sign_in', input);
  const principal = await principalOf(db, session!.id);
  return { token, principal: principal!, expiresAt };
}

async function audit(db: Database, tenantId: string, userId: string, action: string, input: SignInInput) {
  await db.insert(schema.auditLog).values({
    tenantId,
    actorKind: 'staff',
    actorId: userId,
    action,
    entity: 'staff_user',
    entityId: userId,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
  });
}

async function principalOf(db: Database, sessionId: string): Promise<StaffPrincipal | undefined> {
  const { staffSessions: s, staffUsers: u, departmentMemberships: m } = schema;
  const now = new Date();
  const [row] = await db
    .select({ session: s, user: u })
    .from(s)
    .innerJoin(u, eq(u.id, s.userId))
    .where(
      and(
        eq(s.id, sessionId),
        isNull(s.revokedAt),
        gt(s.expiresAt, now),
        eq(u.active, true),
        sql`(${u.sessionsValidAfter} is null or ${u.sessionsValidAfter} < ${s.createdAt})`,
      ),
    );
  if (!row) return undefined;
  const memberships = await db
    .select({ departmentId: m.departmentId })
    .from(m)
    .where(and(eq(m.tenantId, row.user.tenantId), eq(m.userId, row.user.id)));
  return {
    userId: row.user.id,
    tenantId: row.user.tenantId,
    email: row.user.email,
    displayName: row.user.displayName,
    roles: row.user.roles,
    departmentIds: memberships.map((x) => x.departmentId),
    sessionId: row.session.id,
    csrfToken: row.session.csrfToken,
  };
}

/** The signed-in staff member behind a session token, or undefined when it is void. */
export async function verifySession(db: Database, token: string): Promise<StaffPrincipal | undefined> {
  const [session] = await db
    .select({ id: schema.staffSessions.id })
    .from(schema.staffSessions)
    .where(eq(schema.staffSessions.tokenHash, sha256(token)));
  return session ? principalOf(db, session.id) : undefined;
}

export async function signOut(db: Database, sessionId: string): Promise<void> {
  await db
    .update(schema.staffSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(schema.staffSessions.id, sessionId), isNull(schema.staffSessions.revokedAt)));
}

/** Voids every session of the user, on every device. */
export async function signOutEverywhere(db: Database, userId: string): Promise<void> {
  const now = new Date();
  await db.update(schema.staffUsers).set({ sessionsValidAfter: now }).where(eq(schema.staffUsers.id, userId));
  await db
    .update(schema.staffSessions)
    .set({ revokedAt: now })
    .where(and(eq(schema.staffSessions.userId, userId), isNull(schema.staffSessions.revokedAt)));
}
