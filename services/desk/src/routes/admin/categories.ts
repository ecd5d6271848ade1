import { schema } from '@samtal/db';
import { attributeDatatype } from '@samtal/domain';
import { invalidField } from '@samtal/http';
import { staffOf } from '@samtal/staff-auth';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, noContent, problems } from '../../common.ts';
import { assertOwned, code, found, localised, nonEmpty, saving } from './shared.ts';

const category = z.object({
  id: z.uuid(),
  code: z.string(),
  names: z.record(z.string(), z.string()),
  descriptions: z.record(z.string(), z.string()),
  groupName: z.string().nullable(),
  keywords: z.array(z.string()),
  defaultDepartmentId: z.uuid().nullable(),
  slaPolicyId: z.uuid().nullable(),
  sensitive: z.boolean(),
  active: z.boolean(),
  sortOrder: z.number().int(),
});
const categoryFields = z.object({
  code,
  names: localised,
  descriptions: localised.optional(),
  groupName: z.string().max(100).nullable().optional(),
  keywords: z.array(z.string().min(1).max(100)).max(100).optional(),
  defaultDepartmentId: z.uuid().nullable().optional(),
  slaPolicyId: z.uuid().nullable().optional(),
  sensitive: z.boolean().optional(),
  active: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10_000).optional(),
});

const attributeValue = z.object({ key: z.string().min(1).max(100), names: localised });
const attribute = z.object({
  id: z.uuid(),
  categoryId: z.uuid(),
  code: z.string(),
  datatype: z.string(),
  variable: z.boolean(),
  required: z.boolean(),
  descriptions: z.record(z.string(), z.string()),
  datatypeDescription: z.string().nullable(),
  sortOrder: z.number().int(),
  values: z.array(z.object({ key: z.string(), names: z.record(z.string(), z.string()) })),
});
const attributeFields = z.object({
  code: z.string().regex(/^[a-zA-Z0-9_]{1,60}$/, 'letters, digits and _ (max 60)'),
  datatype: attributeDatatype,
  variable: z.boolean().optional(),
  required: z.boolean().optional(),
  descriptions: localised,
  datatypeDescription: z.string().max(500).nullable().optional(),
  sortOrder: z.number().int().min(0).max(10_000).optional(),
  values: z.array(attributeValue).max(200).optional(),
});

type AttributeInput = Partial<z.infer<typeof attributeFields>>;

/** List datatypes need values to choose from; other datatypes have none. */
function checkValues(input: AttributeInput, current?: { datatype: string; values: unknown[] }) {
  const datatype = input.datatype ?? current?.datatype;
  const values = input.values ?? current?.values ?? [];
  const isList = datatype === 'singlevaluelist' || datatype === 'multivaluelist';
  if (isList && !values.length) throw invalidField('values', `a ${datatype} needs at least one value`);
  if (!isList && values.length) throw invalidField('values', `a ${datatype} attribute takes no values`);
  const keys = (values as { key: string }[]).map((v) => v.key);
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (dup >= 0) throw invalidField(`values.${dup}.key`, 'is used twice');
}

const viewCategory = (c: typeof schema.categories.$inferSelect) => ({
  id: c.id,
  code: c.code,
  names: c.names,
  descriptions: c.descriptions,
  groupName: c.groupName,
  keywords: c.keywords,
  defaultDepartmentId: c.defaultDepartmentId,
  slaPolicyId: c.slaPolicyId,
  sensitive: c.sensitive,
  active: c.active,
  sortOrder: c.sortOrder,
});
const viewAttribute = (a: typeof schema.categoryAttributes.$inferSelect) => ({
  id: a.id,
  categoryId: a.categoryId,
  code: a.code,
  datatype: a.datatype,
  variable: a.variable,
  required: a.required,
  descriptions: a.descriptions,
  datatypeDescription: a.datatypeDescription,
  sortOrder: a.sortOrder,
  values: a.values,
});

/** Categories (Open311 services) and their attribute definitions. */
export const categoryAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const t = schema.categories;
  const at = schema.categoryAttributes;
  const refs = (tenantId: string, body: Partial<z.infer<typeof categoryFields>>) =>
    assertOwned(db, tenantId, [
      { field: 'defaultDepartmentId', kind: 'department', id: body.defaultDepartmentId },
      { field: 'slaPolicyId', kind: 'slaPolicy', id: body.slaPolicyId },
    ]);

  app.get(
    '/v1/admin/categories',
    { schema: { tags: ['admin'], summary: 'Categories', response: { 200: z.array(category), ...guarded } } },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db
        .select()
        .from(t)
        .where(eq(t.tenantId, staff.tenantId))
        .orderBy(asc(t.sortOrder), asc(t.code));
      return rows.map(viewCategory);
    },
  );

  app.post(
    '/v1/admin/categories',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add a category',
        body: categoryFields,
        response: { 201: category, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await refs(staff.tenantId, request.body);
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .insert(t)
              .values({ ...request.body, tenantId: staff.tenantId })
              .returning(),
          'code',
        );
        await writeAudit(tx, request, {
          action: 'admin.category.create',
          entity: 'category',
          entityId: row!.id,
          data: request.body,
        });
        return row!;
      });
      return reply.code(201).send(viewCategory(row));
    },
  );

  app.patch(
    '/v1/admin/categories/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change a category',
        params: idParam,
        body: categoryFields.partial(),
        response: { 200: category, ...guarded, ...problems(409) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      await refs(staff.tenantId, body);
      return asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .update(t)
              .set(body)
              .where(and(eq(t.tenantId, staff.tenantId), eq(t.id, request.params.id)))
              .returning(),
          'code',
        );
        found(row, 'category');
        await writeAudit(tx, request, {
          action: 'admin.category.update',
          entity: 'category',
          entityId: row!.id,
          data: body,
        });
        return viewCategory(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/categories/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete a category no case uses (else deactivate it)',
        params: idParam,
        response: { 204: noContent, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .delete(t)
              .where(and(eq(t.tenantId, staff.tenantId), eq(t.id, request.params.id)))
              .returning(),
          'id',
        );
        found(row, 'category');
        await writeAudit(tx, request, {
          action: 'admin.category.delete',
          entity: 'category',
          entityId: row!.id,
          data: { code: row!.code },
        });
      });
      return reply.code(204).send(null);
    },
  );

  const ownCategory = async (tenantId: string, id: string) => {
    const [row] = await db
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.id, id)));
    found(row, 'category');
  };
  const attributeParams = idParam.extend({ attributeId: z.uuid() });

  app.get(
    '/v1/admin/categories/:id/attributes',
    {
      schema: {
        tags: ['admin'],
        summary: 'Open311 attributes of a category',
        params: idParam,
        response: { 200: z.array(attribute), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      await ownCategory(staff.tenantId, request.params.id);
      const rows = await db
        .select()
        .from(at)
        .where(and(eq(at.tenantId, staff.tenantId), eq(at.categoryId, request.params.id)))
        .orderBy(asc(at.sortOrder), asc(at.code));
      return rows.map(viewAttribute);
    },
  );

  app.post(
    '/v1/admin/categories/:id/attributes',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add an Open311 attribute to a category',
        params: idParam,
        body: attributeFields,
        response: { 201: attribute, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await ownCategory(staff.tenantId, request.params.id);
      checkValues(request.body);
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .insert(at)
              .values({ ...request.body, tenantId: staff.tenantId, categoryId: request.params.id })
              .returning(),
          'code',
        );
        await writeAudit(tx, request, {
          action: 'admin.category_attribute.create',
          entity: 'category_attribute',
          entityId: row!.id,
          data: { categoryId: request.params.id, ...request.body },
        });
        return row!;
      });
      return reply.code(201).send(viewAttribute(row));
    },
  );

  app.patch(
    '/v1/admin/categories/:id/attributes/:attributeId',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change an attribute',
        params: attributeParams,
        body: attributeFields.partial(),
        response: { 200: attribute, ...guarded, ...problems(409) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      return asStaffTenant(db, request, async (tx) => {
        const where = and(
          eq(at.tenantId, staff.tenantId),
          eq(at.categoryId, request.params.id),
          eq(at.id, request.params.attributeId),
        );
        const [current] = await tx.select().from(at).where(where).for('update');
        checkValues(body, found(current, 'attribute'));
        const [row] = await saving(() => tx.update(at).set(body).where(where).returning(), 'code');
        await writeAudit(tx, request, {
          action: 'admin.category_attribute.update',
          entity: 'category_attribute',
          entityId: row!.id,
          data: body,
        });
        return viewAttribute(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/categories/:id/attributes/:attributeId',
    {
      schema: {
        tags: ['admin'],
        summary: 'Remove an attribute',
        params: attributeParams,
        response: { 204: noContent, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .delete(at)
          .where(
            and(
              eq(at.tenantId, staff.tenantId),
              eq(at.categoryId, request.params.id),
              eq(at.id, request.params.attributeId),
            ),
          )
          .returning();
        found(row, 'attribute');
        await writeAudit(tx, request, {
          action: 'admin.category_attribute.delete',
          entity: 'category_attribute',
          entityId: row!.id,
          data: { code: row!.code },
        });
      });
      return reply.code(204).send(null);
    },
  );
};
