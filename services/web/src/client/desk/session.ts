import { call, setCsrfToken } from '../api.ts';
import { site } from '../site.ts';
import { signal } from '../state.ts';

/** The signed-in staff member (desk: GET /v1/auth/me, POST /v1/auth/sign-in). */
export interface Me {
  userId: string;
  tenantId: string;
  email: string;
  displayName: string;
  roles: string[];
  departmentIds: string[];
}

/** undefined: not checked yet; null: signed out. */
export const me = signal<Me | null | undefined>(undefined);

export async function checkSession(): Promise<void> {
  try {
    // A reloaded page lost nothing but the CSRF token's copy in memory; the session hands it back.
    const { csrfToken, ...who } = await call<Me & { csrfToken: string }>('desk', '/v1/auth/me');
    setCsrfToken(csrfToken);
    me.set(who);
  } catch {
    setCsrfToken(null);
    me.set(null);
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  const result = await call<{ staff: Me; csrfToken: string }>('desk', '/v1/auth/sign-in', {
    body: { tenant: site.tenant, email, password },
  });
  setCsrfToken(result.csrfToken);
  me.set(result.staff);
}

export async function signOut(): Promise<void> {
  await call('desk', '/v1/auth/sign-out', { method: 'POST' }).catch(() => {});
  setCsrfToken(null);
  me.set(null);
}

export const hasRole = (who: Me | null | undefined, ...roles: string[]) =>
  Boolean(who?.roles.some((r) => roles.includes(r)));
