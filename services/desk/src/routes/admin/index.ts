import { requirePermission } from '@samtal/staff-auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DeskDeps } from '../../app.ts';
import { apiKeyAdmin } from './api-keys.ts';
import { calendarAdmin } from './calendars.ts';
import { categoryAdmin } from './categories.ts';
import { departmentAdmin } from './departments.ts';
import { routingAdmin } from './routing.ts';
import { staffAdmin } from './staff.ts';

/**
 * Configuration of one municipality (permission `admin.configure`). Every query is scoped to the
 * administrator's tenant, and every change writes an audit row in its own transaction.
 */
export const adminRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  app.addHook('onRequest', requirePermission('admin.configure'));
  await app.register(departmentAdmin, deps);
  await app.register(categoryAdmin, deps);
  await app.register(routingAdmin, deps);
  await app.register(calendarAdmin, deps);
  await app.register(staffAdmin, deps);
  await app.register(apiKeyAdmin, deps);
};
