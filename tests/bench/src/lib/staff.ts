import { randomBytes } from 'node:crypto';
import { type DbHandle, schema } from '@samtal/db';
import { sha256 } from '@samtal/security';

/**
 * Signs staff in without the sign-in route (password hashing is slow by design and not what the
 * benchmarks measure): a session row whose token hash matches a token only we know.
 */
export async function createSessions(
  db: DbHandle,
  tenantId: string,
  users: { id: string }[],
): Promise<string[]> {
  const tokens = users.map(() => randomBytes(32).toString('base64url'));
  const rows = users.map((u, i) => ({
    tenantId,
    userId: u.id,
    tokenHash: sha256(tokens[i]!),
    csrfToken: randomBytes(16).toString('hex'),
    expiresAt: new Date(Date.now() + 12 * 3600_000),
  }));
  for (let i = 0; i < rows.length; i += 500)
    await db.db.insert(schema.staffSessions).values(rows.slice(i, i + 500));
  return tokens;
}

/** Adds `count` agents to a tenant (sharing one password hash) and returns their ids. */
export async function addAgents(db: DbHandle, tenantId: string, count: number, label: string) {
  const [any] = await db.sql<{ password_hash: string }[]>`
    select password_hash from staff_users where tenant_id = ${tenantId} limit 1`;
  const rows = Array.from({ length: count }, (_, i) => ({
    tenantId,
    email: `bench-${label}-${i}@bench.invalid`,
    displayName: `Bench agent ${i}`,
    passwordHash: any!.password_hash,
    roles: ['agent'],
  }));
  const ids: { id: string }[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    ids.push(
      ...(await db.db
        .insert(schema.staffUsers)
        .values(rows.slice(i, i + 500))
        .returning({ id: schema.staffUsers.id })),
    );
  }
  return ids;
}
