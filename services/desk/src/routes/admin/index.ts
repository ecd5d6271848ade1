import { requirePermission } from '@samtal/staff-auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DeskDeps } from '../../app.ts';
import { departmentAdmin } from './departments.ts';

/**
 * Configuration of one municipality (permission `admin.configure`). Every query is scoped to the
 * administrator's tenant, and every change writes an audit row in its own transaction.
 */
export const adminRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  app.addHook('preHandler', requirePermission('admin.configure'));
  await app.register(departmentAdmin, deps);
};
