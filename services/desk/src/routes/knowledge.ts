import { type CaseWriter, inCaseTransaction, lockCase } from '@samtal/cases';
import { type Database, type Executor, knowledgeDocument, schema, textSearchConfig } from '@samtal/db';
import { languageTag } from '@samtal/domain';
import { ConflictProblem, ForbiddenProblem, invalidField, NotFoundProblem } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { can, requirePermission, type StaffPrincipal, staffOf } from '@samtal/staff-auth';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { writeAudit } from '../audit/log.ts';
import { requireAnyPermission } from '../common.ts';
import { canSeeCase } from '../live/visibility.ts';

export interface KnowledgeDeps {
  writer: CaseWriter;
}

type ArticleRow = typeof schema.knowledgeArticles.$inferSelect;
const k = schema.knowledgeArticles;

const articleView = z.object({
  articleId: z.uuid(),
  articleKey: z.string(),
  language: z.string(),
  version: z.number().int(),
  title: z.string(),
  body: z.string(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  /** When the article was withdrawn (it is then found by no search); null while it is live. */
  archivedAt: z.string().nullable(),
});
const view = (a: ArticleRow): z.infer<typeof articleView> => ({
  articleId: a.id,
  articleKey: a.articleKey,
  language: a.language,
  version: a.version,
  title: a.title,
  body: a.body,
  createdBy: a.createdBy,
  createdAt: a.createdAt.toISOString(),
  archivedAt: a.archivedAt?.toISOString() ?? null,
});

/** Only the newest version of an article key and language is live. */
const isNewest = sql`not exists (
  select 1 from knowledge_articles newer
  where newer.tenant_id = ${k.tenantId} and newer.article_key = ${k.articleKey}
    and newer.language = ${k.language} and newer.version > ${k.version})`;
/** Live: the newest version, not archived. */
const isLive = and(isNewest, isNull(k.archivedAt));

export interface KnowledgeHit {
  articleId: string;
  articleKey: string;
  language: string;
  version: number;
  title: string;
  snippet: string;
  rank: number;
}

/**
 * Full-text search over the live articles of a tenant in one language, with that language's
 * text-search configuration (stemming: "avfallet" finds "avfall"), ranked title-first. Languages
 * without a configuration use `simple`; as that cannot split unspaced scripts (Chinese), an
 * empty result there falls back to a substring match.
 */
export async function searchKnowledge(
  db: Executor,
  tenantId: string,
  language: string,
  query: string,
  limit = 10,
): Promise<KnowledgeHit[]> {
  const config = textSearchConfig(sql`${language}::text`);
  const tsquery = sql`websearch_to_tsquery(${config}, ${query})`;
  const document = knowledgeDocument(k);
  const columns = {
    articleId: k.id,
    articleKey: k.articleKey,
    language: k.language,
    version: k.version,
    title: k.title,
  };
  const hits = await db
    .select({
      ...columns,
      snippet: sql<string>`ts_headline(${config}, ${k.body}, ${tsquery}, 'MaxWords=30, MinWords=8')`,
      rank: sql<number>`ts_rank(${document}, ${tsquery})`.mapWith(Number),
    })
    .from(k)
    .where(and(eq(k.tenantId, tenantId), eq(k.language, language), sql`${document} @@ ${tsquery}`, isLive))
    .orderBy(sql`ts_rank(${document}, ${tsquery}) desc`, k.articleKey)
    .limit(limit);
  if (hits.length || !/[^\s]/.test(query)) return hits;
  const pattern = `%${query.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const fallback = await db
    .select({ ...columns, body: k.body })
    .from(k)
    .where(
      and(
        eq(k.tenantId, tenantId),
        eq(k.language, language),
        sql`(${k.title} ilike ${pattern} or ${k.body} ilike ${pattern})`,
        isLive,
      ),
    )
    .orderBy(k.articleKey)
    .limit(limit);
  return fallback.map(({ body, ...a }) => ({ ...a, snippet: body.slice(0, 200), rank: 0 }));
}

/**
 * The article a reply is built from, checked to belong to the tenant. For reply routes that take a
 * `knowledgeArticleId`: call this, then store the id in `messages.knowledge_article_id`.
 */
export async function knowledgeArticleForReply(
  db: Executor,
  tenantId: string,
  articleId: string,
): Promise<ArticleRow> {
  const [article] = await db
    .select()
    .from(k)
    .where(and(eq(k.tenantId, tenantId), eq(k.id, articleId)));
  if (!article) throw invalidField('knowledgeArticleId', 'no such knowledge article');
  return article;
}

async function tenantLanguages(db: Database, tenantId: string): Promise<string[]> {
  const [tenant] = await db
    .select({ languages: schema.tenants.languages })
    .from(schema.tenants)
    .where(eq(schema.tenants.id, tenantId));
  return tenant?.languages ?? [];
}

async function versionsOf(db: Executor, tenantId: string, articleKey: string, language: string) {
  return db
    .select()
    .from(k)
    .where(and(eq(k.tenantId, tenantId), eq(k.articleKey, articleKey), eq(k.language, language)))
    .orderBy(desc(k.version));
}

const isUniqueViolation = (error: unknown) =>
  (error as { code?: string }).code === '23505' ||
  (error as { cause?: { code?: string } }).cause?.code === '23505';

const keyParams = z.object({
  articleKey: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'lower-case letters, digits and -'),
  language: languageTag,
});
const content = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
});

/**
 * Knowledge base: articles per tenant and language, versioned (an edit inserts version + 1; the
 * newest is live), searched with PostgreSQL full-text search, insertable into replies, and
 * remembering which article answered which case.
 */
export async function knowledgeRoutes(fastify: FastifyInstance, deps: KnowledgeDeps) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = deps.writer.db;
  const read = { preHandler: requirePermission('knowledge.read') };
  const write = { preHandler: requirePermission('knowledge.write') };
  // Writers (administrators among them) see the articles they edit, without working cases.
  const browse = { preHandler: requireAnyPermission('knowledge.read', 'knowledge.write') };

  app.get(
    '/v1/knowledge/search',
    {
      ...read,
      schema: {
        querystring: z.object({
          q: z.string().trim().min(1).max(200),
          language: languageTag.optional(),
          limit: z.coerce.number().int().min(1).max(50).default(10),
        }),
      },
    },
    async (request) => {
      const me = staffOf(request);
      const [tenant] = await db.select().from(schema.tenants).where(eq(schema.tenants.id, me.tenantId));
      const { q, limit } = request.query;
      const language = request.query.language ?? tenant!.defaultLanguage;
      return { language, results: await searchKnowledge(db, me.tenantId, language, q, limit) };
    },
  );

  app.get(
    '/v1/knowledge/articles',
    {
      ...browse,
      schema: {
        querystring: z.object({
          language: languageTag.optional(),
          /** Also list withdrawn articles (for their editors). */
          archived: z.enum(['include', 'exclude']).default('exclude'),
        }),
      },
    },
    async (request) => {
      const me = staffOf(request);
      const { language, archived } = request.query;
      const rows = await db
        .select()
        .from(k)
        .where(
          and(
            eq(k.tenantId, me.tenantId),
            language ? eq(k.language, language) : undefined,
            archived === 'include' ? isNewest : isLive,
          ),
        )
        .orderBy(k.articleKey, k.language);
      return { articles: rows.map(view) };
    },
  );

  app.get(
    '/v1/knowledge/articles/:articleKey/:language',
    {
      ...browse,
      schema: {
        params: keyParams,
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
      },
    },
    async (request) => {
      const me = staffOf(request);
      const { articleKey, language } = request.params;
      const versions = await versionsOf(db, me.tenantId, articleKey, language);
      const wanted = request.query.version
        ? versions.find((v) => v.version === request.query.version)
        : versions[0];
      if (!wanted) throw new NotFoundProblem('No such article (or version)');
      return {
        ...view(wanted),
        live: wanted === versions[0],
        versions: versions.map((v) => ({
          version: v.version,
          articleId: v.id,
          createdBy: v.createdBy,
          createdAt: v.createdAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/v1/knowledge/articles',
    { ...write, schema: { body: keyParams.extend(content.shape) } },
    async (request, reply) => {
      const me = staffOf(request);
      const { articleKey, language, title, body } = request.body;
      if (!(await tenantLanguages(db, me.tenantId)).includes(language)) {
        throw invalidField('language', 'not one of the municipality’s languages');
      }
      try {
        const row = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(k)
            .values({
              tenantId: me.tenantId,
              articleKey,
              language,
              version: 1,
              title,
              body,
              createdBy: me.userId,
            })
            .returning();
          await writeAudit(tx, request, {
            action: 'knowledge.article.create',
            entity: 'knowledge_article',
            entityId: row!.id,
            data: { articleKey, language, title },
          });
          return row!;
        });
        return reply.code(201).send(view(row));
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictProblem('This article exists; edit it instead');
        throw error;
      }
    },
  );

  app.put(
    '/v1/knowledge/articles/:articleKey/:language',
    {
      ...write,
      schema: {
        params: keyParams,
        // baseVersion: the version the editor started from; a newer one means someone else edited.
        body: content.extend({ baseVersion: z.number().int().positive().optional() }),
      },
    },
    async (request) => {
      const me = staffOf(request);
      const { articleKey, language } = request.params;
      const { title, body, baseVersion } = request.body;
      const [current] = await versionsOf(db, me.tenantId, articleKey, language);
      if (!current) throw new NotFoundProblem('No such article');
      if (baseVersion !== undefined && baseVersion !== current.version) {
        throw new ConflictProblem('The article changed since you opened it', { version: current.version });
      }
      try {
        const row = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(k)
            .values({
              tenantId: me.tenantId,
              articleKey,
              language,
              version: current.version + 1,
              title,
              body,
              createdBy: me.userId,
            })
            .returning();
          await writeAudit(tx, request, {
            action: 'knowledge.article.update',
            entity: 'knowledge_article',
            entityId: row!.id,
            data: { articleKey, language, version: row!.version, title, restored: !!current.archivedAt },
          });
          return row!;
        });
        return view(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictProblem('Someone else saved a new version just now');
        throw error;
      }
    },
  );

  /**
   * Withdraws an article: its newest version is marked archived, so searches and the live list no
   * longer offer it. Versions stay (replies refer to them); saving a new version makes it live again.
   */
  app.post(
    '/v1/knowledge/articles/:articleKey/:language/archive',
    { ...write, schema: { params: keyParams } },
    async (request) => {
      const me = staffOf(request);
      const { articleKey, language } = request.params;
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select()
          .from(k)
          .where(and(eq(k.tenantId, me.tenantId), eq(k.articleKey, articleKey), eq(k.language, language)))
          .orderBy(desc(k.version))
          .limit(1)
          .for('update');
        if (!current) throw new NotFoundProblem('No such article');
        if (current.archivedAt) return view(current);
        const [row] = await tx
          .update(k)
          .set({ archivedAt: new Date() })
          .where(and(eq(k.tenantId, me.tenantId), eq(k.id, current.id)))
          .returning();
        await writeAudit(tx, request, {
          action: 'knowledge.article.archive',
          entity: 'knowledge_article',
          entityId: row!.id,
          data: { articleKey, language, version: row!.version },
        });
        return view(row!);
      });
    },
  );

  /** The text to insert into a reply (any version, by id, as a reply quotes what the agent saw). */
  app.get(
    '/v1/knowledge/by-id/:articleId',
    { ...read, schema: { params: z.object({ articleId: z.uuid() }) } },
    async (request) => {
      const me = staffOf(request);
      const article = await knowledgeArticleForReply(db, me.tenantId, request.params.articleId).catch(() => {
        throw new NotFoundProblem('No such article');
      });
      return view(article);
    },
  );

  /**
   * Replies to the resident with an article (optionally edited), recording which article answered
   * the case in `messages.knowledge_article_id`.
   */
  app.post(
    '/v1/knowledge/replies',
    {
      ...read,
      schema: {
        body: z.object({
          caseId: z.uuid(),
          articleId: z.uuid(),
          body: z.string().trim().min(1).max(20_000).optional(),
        }),
      },
    },
    async (request, reply) => {
      const me = staffOf(request);
      if (!can(me.roles, 'cases.agent') && !can(me.roles, 'cases.department')) {
        throw new ForbiddenProblem('Your role may not reply to residents');
      }
      const article = await knowledgeArticleForReply(db, me.tenantId, request.body.articleId);
      const message = await replyWithArticle(
        deps.writer,
        me,
        request.body.caseId,
        article,
        request.body.body,
      );
      return reply.code(201).send(message);
    },
  );

  /** Which cases an article (any of its versions) has answered. */
  app.get(
    '/v1/knowledge/articles/:articleKey/:language/cases',
    { ...read, schema: { params: keyParams } },
    async (request) => {
      const me = staffOf(request);
      const { articleKey, language } = request.params;
      const m = schema.messages;
      const c = schema.cases;
      const rows = await db
        .select({
          caseId: c.id,
          trackingCode: c.trackingCode,
          tenantId: c.tenantId,
          leadDepartmentId: c.leadDepartmentId,
          claimedBy: c.claimedBy,
          sensitive: c.sensitive,
          messageId: m.id,
          version: k.version,
          at: m.createdAt,
        })
        .from(m)
        .innerJoin(k, and(eq(k.tenantId, m.tenantId), eq(k.id, m.knowledgeArticleId)))
        .innerJoin(c, and(eq(c.tenantId, m.tenantId), eq(c.id, m.caseId)))
        .where(and(eq(m.tenantId, me.tenantId), eq(k.articleKey, articleKey), eq(k.language, language)))
        .orderBy(desc(m.createdAt))
        .limit(500);
      return {
        uses: rows
          .filter((r) => canSeeCase(me, { ...r, assistingDepartmentIds: [] }))
          .map((r) => ({
            caseId: r.caseId,
            trackingCode: r.trackingCode,
            messageId: r.messageId,
            version: r.version,
            at: r.at.toISOString(),
          })),
      };
    },
  );
}

async function replyWithArticle(
  writer: CaseWriter,
  me: StaffPrincipal,
  caseId: string,
  article: ArticleRow,
  body: string | undefined,
) {
  return inCaseTransaction(writer, me.tenantId, async (unit) => {
    const current = await lockCase(unit.tx, me.tenantId, caseId);
    const assisting = await unit.tx
      .select({ id: schema.caseAssistingDepartments.departmentId })
      .from(schema.caseAssistingDepartments)
      .where(
        and(
          eq(schema.caseAssistingDepartments.tenantId, me.tenantId),
          eq(schema.caseAssistingDepartments.caseId, caseId),
        ),
      );
    if (!canSeeCase(me, { ...current, assistingDepartmentIds: assisting.map((a) => a.id) })) {
      throw new NotFoundProblem('No such case');
    }
    const now = new Date();
    const [message] = await unit.tx
      .insert(schema.messages)
      .values({
        tenantId: me.tenantId,
        caseId,
        direction: 'to_resident',
        body: body ?? article.body,
        authorStaffId: me.userId,
        knowledgeArticleId: article.id,
        createdAt: now,
      })
      .returning();
    if (!current.firstRespondedAt) {
      await unit.tx
        .update(schema.cases)
        .set({ firstRespondedAt: now, updatedAt: now })
        .where(and(eq(schema.cases.tenantId, me.tenantId), eq(schema.cases.id, caseId)));
    }
    await unit.record([
      {
        tenantId: me.tenantId,
        caseId,
        type: 'replied',
        actor: { kind: 'staff', id: me.userId },
        visibility: 'public',
        data: { messageId: message!.id, knowledgeArticleId: article.id, articleKey: article.articleKey },
      },
    ]);
    await unit.enqueue([
      {
        tenantId: me.tenantId,
        queue: queueNames.notifications,
        payload: { tenantId: me.tenantId, caseId, template: 'reply', messageId: message!.id },
      },
    ]);
    return {
      messageId: message!.id,
      caseId,
      knowledgeArticleId: article.id,
      body: message!.body,
      createdAt: now.toISOString(),
    };
  });
}
