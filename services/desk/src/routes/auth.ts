import type { CookieSerializeOptions } from '@fastify/cookie';
import { UnauthorizedProblem } from '@samtal/http';
import {
  defaultSessionPolicy,
  SESSION_COOKIE,
  SignInError,
  signIn,
  signOut,
  signOutEverywhere,
  staffOf,
} from '@samtal/staff-auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { writeAudit } from '../audit/log.ts';
import { guarded, noContent, problems } from '../common.ts';

const me = z.object({
  userId: z.uuid(),
  tenantId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  departmentIds: z.array(z.uuid()),
});

const signInBody = z.object({
  tenant: z.string().min(1).max(100).describe('The municipality slug, e.g. "vasteras"'),
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(256),
});

const signedIn = z.object({
  staff: me,
  /** Echo in `x-csrf-token` on every change made with the cookie. */
  csrfToken: z.string(),
  /** For API tools: `Authorization: Bearer <token>` (the same session as the cookie). */
  token: z.string(),
  expiresAt: z.iso.datetime(),
});

const toMe = (p: z.infer<typeof me>) => ({
  userId: p.userId,
  tenantId: p.tenantId,
  email: p.email,
  displayName: p.displayName,
  roles: p.roles,
  departmentIds: p.departmentIds,
});

/** Staff sign-in and sign-out: an HTTP-only session cookie for browsers, a bearer token for tools. */
export const authRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const cookieOptions = (expires?: Date): CookieSerializeOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.COOKIE_SECURE,
    path: '/',
    ...(expires ? { expires } : {}),
  });

  app.post(
    '/v1/auth/sign-in',
    {
      schema: {
        summary: 'Sign in (sets the session cookie)',
        tags: ['auth'],
        security: [],
        body: signInBody,
        response: { 200: signedIn, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      try {
        const { token, principal, expiresAt } = await signIn(
          deps.db.db,
          {
            tenantSlug: request.body.tenant,
            email: request.body.email,
            password: request.body.password,
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          },
          { ...defaultSessionPolicy, ttlHours: deps.config.SESSION_TTL_HOURS },
        );
        reply.setCookie(SESSION_COOKIE, token, cookieOptions(expiresAt));
        return {
          staff: toMe(principal),
          csrfToken: principal.csrfToken,
          token,
          expiresAt: expiresAt.toISOString(),
        };
      } catch (error) {
        if (error instanceof SignInError) throw new UnauthorizedProblem(error.message);
        throw error;
      }
    },
  );

  app.post(
    '/v1/auth/sign-out',
    {
      schema: {
        summary: 'Sign out this session',
        tags: ['auth'],
        response: { 204: noContent, ...problems(401, 403) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await signOut(deps.db.db, staff.sessionId);
      await writeAudit(deps.db.db, request, {
        action: 'auth.sign_out',
        entity: 'staff_user',
        entityId: staff.userId,
      });
      reply.clearCookie(SESSION_COOKIE, cookieOptions());
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/auth/sign-out-everywhere',
    {
      schema: {
        summary: 'Sign out every session of this account, on every device',
        tags: ['auth'],
        response: { 204: noContent, ...problems(401, 403) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await signOutEverywhere(deps.db.db, staff.userId);
      await writeAudit(deps.db.db, request, {
        action: 'auth.sign_out_everywhere',
        entity: 'staff_user',
        entityId: staff.userId,
      });
      reply.clearCookie(SESSION_COOKIE, cookieOptions());
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/auth/me',
    {
      schema: {
        summary: 'Who is signed in, and the session’s CSRF token (a reloaded page needs it again)',
        tags: ['auth'],
        response: { 200: me.extend({ csrfToken: z.string() }), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      return { ...toMe(staff), csrfToken: staff.csrfToken };
    },
  );
};
