import { schema as s } from '@samtal/db';
import { invalidField, NotFoundProblem, ProblemError } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { dialogueOf } from '../common.ts';
import { acceptedTypesText, detectFileType } from '../file-type.ts';
import { dialogueParams, problemResponse } from '../schemas.ts';

const attachmentResponse = z.object({
  id: z.uuid(),
  contentType: z.string(),
  sizeBytes: z.number(),
  originalName: z.string().nullable(),
  createdAt: z.string(),
});

function toAttachment(row: typeof s.attachments.$inferSelect): z.infer<typeof attachmentResponse> {
  return {
    id: row.id,
    contentType: row.contentType,
    sizeBytes: row.sizeBytes,
    originalName: row.originalName,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A file name safe to echo in Content-Disposition: no paths, no quotes, no control characters. */
function cleanName(name: string | undefined): string | null {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}"]/gu, '')
    .trim()
    .slice(0, 200);
  return clean || null;
}

/** Method materials (hand-outs, slides, photos of the wall of notes) attached to a dialogue or template. */
export const attachmentRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { db, storage, uploadMaxBytes },
) => {
  const security = [{ staffSession: [] }];

  /** Attachments belong to dialogues and to templates alike. */
  const ownerOf = async (tenantId: string, dialogueId: string) =>
    dialogueOf(db, tenantId, dialogueId).catch(() =>
      dialogueOf(db, tenantId, dialogueId, { templates: true }),
    );

  app.post(
    '/v1/dialogues/:dialogueId/attachments',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Attach a material (multipart/form-data, one field "file")',
        description: `Accepted, judged by content: ${acceptedTypesText}. At most ${uploadMaxBytes} bytes.`,
        tags: ['dialogues'],
        security,
        consumes: ['multipart/form-data'],
        params: dialogueParams,
        response: {
          201: attachmentResponse,
          400: problemResponse,
          413: problemResponse,
          415: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = staffOf(request);
      const owner = await ownerOf(tenantId, request.params.dialogueId);
      if (!request.isMultipart())
        throw invalidField('content-type', 'send multipart/form-data with a "file" field');
      const file = await request.file();
      if (file?.fieldname !== 'file') throw invalidField('file', 'attach the material in a field "file"');
      let data: Buffer;
      try {
        data = await file.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new ProblemError(
            413,
            'Payload too large',
            `The file is larger than ${uploadMaxBytes} bytes`,
            {
              errors: [{ field: 'file', message: `must be at most ${uploadMaxBytes} bytes` }],
            },
          );
        throw error;
      }
      if (!data.length) throw invalidField('file', 'is empty');
      const type = detectFileType(data);
      if (!type)
        throw new ProblemError(415, 'Unsupported media type', `Accepted materials: ${acceptedTypesText}`, {
          errors: [{ field: 'file', message: `content is not ${acceptedTypesText}` }],
        });
      const key = await storage.put(`dialogues/${tenantId}`, data);
      try {
        const [row] = await db
          .insert(s.attachments)
          .values({
            tenantId,
            dialogueId: owner.id,
            storageKey: key,
            contentType: type.contentType,
            sizeBytes: data.length,
            originalName: cleanName(file.filename),
          })
          .returning();
        return reply.code(201).send(toAttachment(row!));
      } catch (error) {
        await storage.delete(key).catch(() => {});
        throw error;
      }
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/attachments',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: "A dialogue's materials",
        tags: ['dialogues'],
        security,
        params: dialogueParams,
        response: { 200: z.object({ attachments: z.array(attachmentResponse) }) },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const owner = await ownerOf(tenantId, request.params.dialogueId);
      const rows = await db
        .select()
        .from(s.attachments)
        .where(and(eq(s.attachments.tenantId, tenantId), eq(s.attachments.dialogueId, owner.id)))
        .orderBy(asc(s.attachments.createdAt));
      return { attachments: rows.map(toAttachment) };
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/attachments/:attachmentId',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: 'Download a material',
        tags: ['dialogues'],
        security,
        params: dialogueParams.extend({ attachmentId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const { tenantId } = staffOf(request);
      const [row] = await db
        .select()
        .from(s.attachments)
        .where(
          and(
            eq(s.attachments.tenantId, tenantId),
            eq(s.attachments.dialogueId, request.params.dialogueId),
            eq(s.attachments.id, request.params.attachmentId),
          ),
        );
      if (!row) throw new NotFoundProblem('No such attachment');
      const name = row.originalName ?? `material-${row.id}`;
      return reply
        .type(row.contentType)
        .header('content-length', row.sizeBytes)
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-disposition',
          `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        )
        .send(storage.get(row.storageKey));
    },
  );
};
