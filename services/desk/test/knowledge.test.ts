import {
  type DemoTenant,
  knowledgeDocument,
  schema,
  seedDemoMunicipality,
  textSearchConfig,
} from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { newCase } from './live-helpers.ts';

describe('knowledge base', () => {
  const ctx = useTestContext();
  let fixture: Awaited<ReturnType<typeof deskFixture>>;
  let demo: DemoTenant;
  let supervisor: { headers: Record<string, string> };
  let agent: { headers: Record<string, string> };

  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    demo = fixture.demo;
    supervisor = await fixture.as('supervisor@vasteras.demo');
    agent = await fixture.as('agent@vasteras.demo');
  });
  afterAll(() => fixture.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    who: { headers: Record<string, string> },
    payload?: object,
  ) => fixture.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  const search = async (q: string, language: string) => {
    const res = await call(
      'GET',
      `/v1/knowledge/search?q=${encodeURIComponent(q)}&language=${language}`,
      agent,
    );
    expect(res.statusCode).toBe(200);
    return (res.json() as { results: { articleKey: string; version: number; snippet: string }[] }).results;
  };

  it('writes articles per language; only writers may', async () => {
    const articles = [
      {
        articleKey: 'waste-collection',
        language: 'sv',
        title: 'Sophämtning',
        body: 'Avfallet hämtas varannan vecka. Sopkärlen ska stå vid tomtgränsen senast klockan sex.',
      },
      {
        articleKey: 'parking',
        language: 'sv',
        title: 'Parkering',
        body: 'Boendeparkering söks hos stadsbyggnadsförvaltningen. Sopkärl får inte stå på gatan.',
      },
      {
        articleKey: 'waste-collection',
        language: 'en',
        title: 'Waste collection',
        body: 'Bins are collected every other week. Put your bin at the kerb by six in the morning.',
      },
      {
        articleKey: 'waste-collection',
        language: 'zh-CN',
        title: '垃圾 收集',
        body: '垃圾每两周收集一次 bins',
      },
    ];
    for (const article of articles) {
      const res = await call('POST', '/v1/knowledge/articles', supervisor, article);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ version: 1 });
    }
    expect((await call('POST', '/v1/knowledge/articles', supervisor, articles[0]!)).statusCode).toBe(409);
    expect(
      (await call('POST', '/v1/knowledge/articles', agent, { ...articles[0]!, articleKey: 'x' })).statusCode,
    ).toBe(403);
    const unsupported = await call('POST', '/v1/knowledge/articles', supervisor, {
      ...articles[0]!,
      language: 'fi',
    });
    expect(unsupported.statusCode).toBe(400);
  });

  it('picks the text-search configuration per language, simple where PostgreSQL has none', async () => {
    const configs = await ctx.database.db.execute(
      sql`select ${textSearchConfig(sql`'sv'::text`)}::text as sv, ${textSearchConfig(sql`'en-GB'::text`)}::text as en,
                 ${textSearchConfig(sql`'zh-CN'::text`)}::text as zh, ${textSearchConfig(sql`'so'::text`)}::text as so`,
    );
    expect(configs[0]).toEqual({ sv: 'swedish', en: 'english', zh: 'simple', so: 'simple' });
  });

  it('searches Swedish with Swedish stemming, ranking a title hit first', async () => {
    const hits = await search('hämta sopkärlen', 'sv');
    expect(hits.map((h) => h.articleKey)).toEqual(['waste-collection']);
    const ranked = await search('sopkärl', 'sv');
    expect(ranked.map((h) => h.articleKey)).toEqual(['waste-collection', 'parking'].sort());
    const title = await search('sophämtning', 'sv');
    expect(title[0]?.articleKey).toBe('waste-collection');
    expect(await search('collected', 'sv')).toEqual([]); // an English article is not a Swedish answer
  });

  it('searches English with English stemming', async () => {
    const hits = await search('collecting bins', 'en');
    expect(hits.map((h) => h.articleKey)).toEqual(['waste-collection']);
    expect(hits[0]!.snippet).toContain('<b>');
  });

  it('falls back to simple (and substring) search where there is no configuration', async () => {
    expect((await search('收集', 'zh-CN')).map((h) => h.articleKey)).toEqual(['waste-collection']); // title token
    expect((await search('两周', 'zh-CN')).map((h) => h.articleKey)).toEqual(['waste-collection']); // substring
    expect(await search('collected', 'zh-CN')).toEqual([]); // no English stemming under simple
  });

  it('versions every edit: the newest is live, older ones stay readable', async () => {
    const edit = await call('PUT', '/v1/knowledge/articles/waste-collection/sv', supervisor, {
      title: 'Sophämtning',
      body: 'Från januari töms kärlen varje vecka. Ställ kärlet vid vägkanten.',
      baseVersion: 1,
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.json()).toMatchObject({ version: 2 });
    const stale = await call('PUT', '/v1/knowledge/articles/waste-collection/sv', supervisor, {
      title: 'x',
      body: 'y',
      baseVersion: 1,
    });
    expect(stale.statusCode).toBe(409);

    expect((await search('vägkanten', 'sv')).map((h) => h.version)).toEqual([2]);
    expect((await search('tomtgränsen', 'sv')).map((h) => h.articleKey)).toEqual([]); // only in version 1
    const live = await call('GET', '/v1/knowledge/articles/waste-collection/sv', agent);
    expect(live.json()).toMatchObject({ version: 2, live: true });
    expect((live.json() as { versions: { version: number }[] }).versions.map((v) => v.version)).toEqual([
      2, 1,
    ]);
    const old = await call('GET', '/v1/knowledge/articles/waste-collection/sv?version=1', agent);
    expect(old.json()).toMatchObject({ version: 1, live: false });
    const list = await call('GET', '/v1/knowledge/articles?language=sv', agent);
    expect((list.json() as { articles: { articleKey: string; version: number }[] }).articles).toEqual([
      expect.objectContaining({ articleKey: 'parking', version: 1 }),
      expect.objectContaining({ articleKey: 'waste-collection', version: 2 }),
    ]);
  });

  it('archives an article: no search or live list offers it; a new version brings it back; audited', async () => {
    const archive = (who: { headers: Record<string, string> }) =>
      call('POST', '/v1/knowledge/articles/parking/sv/archive', who);
    expect((await archive(agent)).statusCode).toBe(403);
    expect((await call('POST', '/v1/knowledge/articles/nothing/sv/archive', supervisor)).statusCode).toBe(
      404,
    );
    const archived = await archive(supervisor);
    expect(archived.statusCode).toBe(200);
    expect(archived.json()).toMatchObject({
      articleKey: 'parking',
      version: 1,
      archivedAt: expect.any(String),
    });
    expect((await archive(supervisor)).json().archivedAt).toBe(archived.json().archivedAt); // once

    expect(await search('boendeparkering', 'sv')).toEqual([]);
    const keys = async (query: string) =>
      (
        (await call('GET', `/v1/knowledge/articles?language=sv${query}`, agent)).json() as {
          articles: { articleKey: string }[];
        }
      ).articles.map((a) => a.articleKey);
    expect(await keys('')).toEqual(['waste-collection']);
    expect(await keys('&archived=include')).toEqual(['parking', 'waste-collection']);

    // An administrator writes articles without working cases, so may read them too.
    const admin = await fixture.as('admin@vasteras.demo');
    expect((await call('GET', '/v1/knowledge/articles?archived=include', admin)).statusCode).toBe(200);
    const restored = await call('PUT', '/v1/knowledge/articles/parking/sv', admin, {
      title: 'Parkering',
      body: 'Boendeparkering söks hos stadsbyggnadsförvaltningen.',
      baseVersion: 1,
    });
    expect(restored.json()).toMatchObject({ version: 2, archivedAt: null });
    expect((await search('boendeparkering', 'sv')).map((h) => h.version)).toEqual([2]);

    const audit = await ctx.database.db
      .select({ action: schema.auditLog.action, data: schema.auditLog.data })
      .from(schema.auditLog)
      .where(
        sql`${schema.auditLog.action} like 'knowledge.article.%' and ${schema.auditLog.data}->>'articleKey' = 'parking'`,
      )
      .orderBy(schema.auditLog.id);
    expect(audit.map((a) => a.action)).toEqual([
      'knowledge.article.create',
      'knowledge.article.archive',
      'knowledge.article.update',
    ]);
    expect(audit[2]!.data).toMatchObject({ restored: true, version: 2 });
  });

  it('uses the GIN index for a tenant- and language-filtered search', async () => {
    const k = schema.knowledgeArticles;
    let plan: unknown;
    // A handful of rows: show that the planner *can* use the index (the btree on tenant_id, which
    // it would prefer for so few rows, is dropped inside a transaction that is rolled back).
    await ctx.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        await tx.execute(sql`drop index knowledge_articles_tenant_key_lang_version_uq`);
        plan = await tx.execute(
          sql`explain select ${k.id} from ${k} where ${k.tenantId} = ${demo.tenantId} and ${knowledgeDocument(k)} @@ websearch_to_tsquery('swedish', 'kärl')`,
        );
        throw new Error('rollback');
      })
      .catch((error: Error) => {
        if (error.message !== 'rollback') throw error;
      });
    expect(JSON.stringify(plan)).toContain('knowledge_articles_search_idx');
  });

  it('inserts an article into a reply and remembers which article answered which case', async () => {
    const c = await newCase(ctx, demo);
    const [article] = await ctx.database.db
      .select()
      .from(schema.knowledgeArticles)
      .where(eq(schema.knowledgeArticles.articleKey, 'parking'));
    const text = await call('GET', `/v1/knowledge/by-id/${article!.id}`, agent);
    expect(text.json()).toMatchObject({ body: article!.body });

    const replied = await call('POST', '/v1/knowledge/replies', agent, {
      caseId: c.id,
      articleId: article!.id,
    });
    expect(replied.statusCode).toBe(201);
    const { messageId } = replied.json() as { messageId: string };
    const [message] = await ctx.database.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.id, messageId));
    expect(message).toMatchObject({
      caseId: c.id,
      direction: 'to_resident',
      knowledgeArticleId: article!.id,
    });
    const [after] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, c.id));
    expect(after!.firstRespondedAt).toBeInstanceOf(Date);
    const events = await ctx.database.db
      .select()
      .from(schema.caseEvents)
      .where(eq(schema.caseEvents.caseId, c.id));
    expect(events.map((e) => e.type)).toEqual(['replied']);

    const uses = await call('GET', '/v1/knowledge/articles/parking/sv/cases', agent);
    expect((uses.json() as { uses: { caseId: string }[] }).uses.map((u) => u.caseId)).toEqual([c.id]);

    // An officer of another department can neither reply on the case nor see it among the uses.
    const officer = await fixture.as('officer@vasteras.demo');
    const refused = await call('POST', '/v1/knowledge/replies', officer, {
      caseId: c.id,
      articleId: article!.id,
    });
    expect(refused.statusCode).toBe(404);
    const hidden = await call('GET', '/v1/knowledge/articles/parking/sv/cases', officer);
    expect((hidden.json() as { uses: unknown[] }).uses).toEqual([]);
  });

  it('keeps tenants apart', async () => {
    const other = await seedDemoMunicipality(ctx.database.db, { slug: 'jinan', open311Key: 'j'.repeat(32) });
    const [article] = await ctx.database.db.select().from(schema.knowledgeArticles).limit(1);
    const c = await newCase(ctx, other);
    const res = await call('POST', '/v1/knowledge/replies', agent, { caseId: c.id, articleId: article!.id });
    expect(res.statusCode).toBe(404);
  });
});
