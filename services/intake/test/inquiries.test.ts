import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deadline, loadCalendar } from '@samtal/business-time';
import { schema } from '@samtal/db';
import { queueNames } from '@samtal/queue';
import { TRACKING_CODE_PATTERN } from '@samtal/security';
import { useTestContext } from '@samtal/testing';
import { Queue } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeRelay } from '../src/relay.ts';
import {
  act,
  caseByCode,
  type Harness,
  HEIC,
  JPEG,
  multipart,
  PNG,
  pothole,
  rowCounts,
  startIntake,
  submit,
  TENANT,
} from './helpers.ts';

describe('resident inquiries', () => {
  const ctx = useTestContext();
  let h: Harness;
  let relay: IntakeRelay;

  beforeAll(async () => {
    relay = new IntakeRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
    h = await startIntake(ctx, { relay, config: { UPLOAD_MAX_BYTES: 2048 } });
  });
  afterAll(async () => {
    await h.app.close();
    await relay.stop();
  });

  const follow = (code: string, token: string) =>
    h.app.inject({
      method: 'GET',
      url: `/v1/inquiries/${code}`,
      headers: { ...TENANT, authorization: `Bearer ${token}` },
    });

  describe('submit', () => {
    it('creates the case, its public created event and a routing job in one go, and relays the job', async () => {
      const res = await submit(h.app, {
        ...pothole,
        contact: { email: 'resident@example.org' },
        language: 'en',
        channel: 'web',
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.trackingCode).toMatch(TRACKING_CODE_PATTERN);
      expect(body.accessToken.length).toBeGreaterThanOrEqual(24);
      expect(body.status).toBe('new');
      expect(res.headers.location).toBe(`/v1/inquiries/${body.trackingCode}`);

      const row = await caseByCode(ctx.database, body.trackingCode);
      expect(row).toMatchObject({
        status: 'new',
        channel: 'web',
        language: 'en',
        contactEmail: 'resident@example.org',
        attributes: { size: 'large', surface: ['cycleway', 'road'] },
        latitude: 59.611,
      });
      expect(row.accessTokenHash).not.toContain(body.accessToken);
      // Due times in business time of the category's SLA policy (standard: 9 business hours).
      const calendar = (await loadCalendar(ctx.database.db, h.demo.tenantId))!;
      const expected = deadline(calendar, row.createdAt, 9 * 60, {
        warningShare: 0.75,
        warningBeforeMinutes: null,
      });
      expect(body.expectedFirstResponseAt).toBe(expected.dueAt.toISOString());
      expect(row.firstResponseDueAt?.toISOString()).toBe(expected.dueAt.toISOString());
      expect(row.resolutionDueAt).toBeInstanceOf(Date);

      const events = await ctx.database.db
        .select()
        .from(schema.caseEvents)
        .where(eq(schema.caseEvents.caseId, row.id));
      expect(events).toEqual([
        expect.objectContaining({ type: 'created', visibility: 'public', actorKind: 'resident' }),
      ]);
      const jobs = await ctx.database.db
        .select()
        .from(schema.outbox)
        .where(eq(schema.outbox.tenantId, h.demo.tenantId));
      const job = jobs.find((j) => j.payload.caseId === row.id)!;
      expect(job).toMatchObject({
        queue: 'routing',
        payload: { tenantId: h.demo.tenantId, caseId: row.id, reason: 'created' },
      });

      await relay.settled();
      const queue = new Queue(queueNames.routing, { connection: ctx.redis, prefix: ctx.queuePrefix });
      const published = await queue.getJob(`outbox-${job.id}`);
      expect(published?.data).toEqual({ tenantId: h.demo.tenantId, caseId: row.id, reason: 'created' });
      await queue.close();
      const [sent] = await ctx.database.db.select().from(schema.outbox).where(eq(schema.outbox.id, job.id));
      expect(sent!.sentAt).toBeInstanceOf(Date);
    });

    it('keeps a consented demographic self-report apart from the case and never returns it', async () => {
      const res = await submit(h.app, {
        ...pothole,
        demographics: {
          consent: true,
          consentTextVersion: 'v1',
          groups: { gender: 'woman', age_band: '65+' },
        },
      });
      expect(res.statusCode).toBe(201);
      const { trackingCode, accessToken } = res.json();
      const row = await caseByCode(ctx.database, trackingCode);
      const profiles = await ctx.database.db
        .select()
        .from(schema.demographicProfiles)
        .where(eq(schema.demographicProfiles.caseId, row.id));
      expect(profiles).toEqual([
        expect.objectContaining({ groups: { gender: 'woman', age_band: '65+' }, consentTextVersion: 'v1' }),
      ]);
      const view = await follow(trackingCode, accessToken);
      expect(JSON.stringify(view.json())).not.toMatch(/woman|age_band|demographic|consent/);
    });

    it('lets the resident withdraw consent: the profile is deleted, the inquiry stays', async () => {
      const res = await submit(h.app, {
        ...pothole,
        demographics: { consent: true, consentTextVersion: 'v1', groups: { gender: 'man' } },
      });
      const { trackingCode, accessToken } = res.json();
      const row = await caseByCode(ctx.database, trackingCode);
      const withdraw = (token: string) =>
        h.app.inject({
          method: 'DELETE',
          url: `/v1/inquiries/${trackingCode}/demographics`,
          headers: { ...TENANT, authorization: `Bearer ${token}` },
        });
      const wrong = await withdraw('not-the-token');
      expect(wrong.statusCode).toBe(404);
      expect(wrong.headers['content-type']).toContain('application/problem+json');
      const profiles = () =>
        ctx.database.db
          .select()
          .from(schema.demographicProfiles)
          .where(eq(schema.demographicProfiles.caseId, row.id));
      expect(await profiles()).toHaveLength(1);

      const ok = await withdraw(accessToken);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toEqual({ profilesDeleted: 1 });
      expect(await profiles()).toEqual([]);
      expect((await withdraw(accessToken)).json()).toEqual({ profilesDeleted: 0 });
      expect((await follow(trackingCode, accessToken)).statusCode).toBe(200);
      const audit = await ctx.database.db
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.entityId, row.id));
      expect(audit.map((a) => [a.actorKind, a.action, a.data])).toEqual([
        ['resident', 'privacy.consent_withdrawal', { profilesDeleted: 1 }],
        ['resident', 'privacy.consent_withdrawal', { profilesDeleted: 0 }],
      ]);
    });

    it('refuses demographics without consent or with unknown groups, writing nothing', async () => {
      const before = await rowCounts(ctx.database);
      const noConsent = await submit(h.app, {
        ...pothole,
        demographics: { consent: false, consentTextVersion: 'v1', groups: {} },
      });
      expect(noConsent.statusCode).toBe(400);
      expect(noConsent.json().errors[0].field).toBe('demographics.consent');
      const unknown = await submit(h.app, {
        ...pothole,
        demographics: { consent: true, consentTextVersion: 'v1', groups: { gender: 'robot', shoe: 'size' } },
      });
      expect(unknown.statusCode).toBe(400);
      expect(
        unknown
          .json()
          .errors.map((e: { field: string }) => e.field)
          .sort(),
      ).toEqual(['demographics.groups.gender', 'demographics.groups.shoe']);
      expect(await rowCounts(ctx.database)).toEqual(before);
    });

    it('stores descriptions as text, exactly as given', async () => {
      const description = '<script>alert(1)</script> & <b>hole</b>';
      const res = await submit(h.app, { ...pothole, description });
      const row = await caseByCode(ctx.database, res.json().trackingCode);
      expect(row.description).toBe(description);
    });

    it('accepts https media URLs and refuses others', async () => {
      const ok = await submit(h.app, { ...pothole, mediaUrls: ['https://photos.example.org/hole.jpg'] });
      expect(ok.statusCode).toBe(201);
      expect((await caseByCode(ctx.database, ok.json().trackingCode)).mediaUrls).toEqual([
        'https://photos.example.org/hole.jpg',
      ]);
      const before = await rowCounts(ctx.database);
      const bad = await submit(h.app, { ...pothole, mediaUrls: ['http://photos.example.org/hole.jpg'] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].field).toBe('mediaUrls.0');
      expect(await rowCounts(ctx.database)).toEqual(before);
    });
  });

  describe('idempotency', () => {
    it('returns the same inquiry, token included, for a retried submit', async () => {
      const key = `retry-${Math.random().toString(36).slice(2)}`;
      const first = await submit(h.app, pothole, { 'idempotency-key': key });
      const before = await rowCounts(ctx.database);
      const second = await submit(h.app, { ...pothole }, { 'idempotency-key': key });
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.json()).toEqual(first.json());
      expect(await rowCounts(ctx.database)).toEqual(before);
      // The key and token are not kept in the clear.
      const [stored] = await ctx.database.db.select().from(schema.idempotencyKeys);
      expect(JSON.stringify(stored)).not.toContain(key);
      expect(JSON.stringify(stored)).not.toContain(first.json().accessToken);
    });

    it('answers concurrent retries with one case', async () => {
      const key = `race-${Math.random().toString(36).slice(2)}`;
      const before = await rowCounts(ctx.database);
      const results = await Promise.all(
        [1, 2, 3].map(() => submit(h.app, pothole, { 'idempotency-key': key })),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
      expect(new Set(results.map((r) => r.json().trackingCode)).size).toBe(1);
      const after = await rowCounts(ctx.database);
      expect(after.cases - before.cases).toBe(1);
      expect(after.outbox - before.outbox).toBe(1);
    });

    it('writes inquiries submitted together, and one conflicting inquiry does not fail the others', async () => {
      // Inquiries of one event-loop turn share a statement; the two with the same key collide in it.
      const key = `batch-${Math.random().toString(36).slice(2)}`;
      const before = await rowCounts(ctx.database);
      const results = await Promise.all([
        ...[1, 2, 3, 4].map((n) => submit(h.app, { ...pothole, description: `Hole number ${n}` })),
        submit(h.app, pothole, { 'idempotency-key': key }),
        submit(h.app, pothole, { 'idempotency-key': key }),
        submit(h.app, { ...pothole, serviceCode: 'dragons' }),
      ]);
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201, 400]);
      const codes = results.slice(0, 6).map((r) => r.json().trackingCode);
      expect(new Set(codes).size).toBe(5);
      expect(codes[4]).toBe(codes[5]);
      const after = await rowCounts(ctx.database);
      expect(after.cases - before.cases).toBe(5);
      expect(after.caseEvents - before.caseEvents).toBe(5);
      expect(after.outbox - before.outbox).toBe(5);
      expect(after.idempotencyKeys - before.idempotencyKeys).toBe(1);
      for (const [n, res] of results.slice(0, 4).entries()) {
        expect((await caseByCode(ctx.database, res.json().trackingCode)).description).toBe(
          `Hole number ${n + 1}`,
        );
      }
    });

    it('refuses the same key with a different body (422) and writes nothing', async () => {
      const key = `changed-${Math.random().toString(36).slice(2)}`;
      await submit(h.app, pothole, { 'idempotency-key': key });
      const before = await rowCounts(ctx.database);
      const res = await submit(
        h.app,
        { ...pothole, description: 'Something else' },
        { 'idempotency-key': key },
      );
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].field).toBe('idempotency-key');
      expect(await rowCounts(ctx.database)).toEqual(before);
    });
  });

  describe('bad input: a clear 4xx naming the field, and no row written', () => {
    type ProblemBody = { status: number; requestId: string; errors?: { field: string }[] };
    const cases: [
      string,
      () => Promise<{ statusCode: number; json(): ProblemBody; headers: Record<string, unknown> }>,
      number,
      string,
    ][] = [
      [
        'malformed JSON',
        () =>
          h.app.inject({
            method: 'POST',
            url: '/v1/inquiries',
            headers: { ...TENANT, 'content-type': 'application/json' },
            payload: '{"serviceCode": "pothole",',
          }),
        400,
        '(body)',
      ],
      [
        'wrong content type',
        () =>
          h.app.inject({
            method: 'POST',
            url: '/v1/inquiries',
            headers: { ...TENANT, 'content-type': 'text/plain' },
            payload: 'a hole',
          }),
        415,
        'content-type',
      ],
      [
        'missing service code',
        () => submit(h.app, { ...pothole, serviceCode: undefined }),
        400,
        'serviceCode',
      ],
      [
        'unknown service code',
        () => submit(h.app, { ...pothole, serviceCode: 'dragons' }),
        400,
        'serviceCode',
      ],
      ['empty description', () => submit(h.app, { ...pothole, description: '   ' }), 400, 'description'],
      [
        'description over 4,000 characters',
        () => submit(h.app, { ...pothole, description: 'x'.repeat(4001) }),
        400,
        'description',
      ],
      [
        'latitude out of range',
        () => submit(h.app, { ...pothole, location: { lat: 91, long: 16 } }),
        400,
        'location.lat',
      ],
      [
        'longitude out of range',
        () => submit(h.app, { ...pothole, location: { lat: 59, long: -181 } }),
        400,
        'location.long',
      ],
      [
        'latitude not a number',
        () => submit(h.app, { ...pothole, location: { lat: 'north', long: 16 } }),
        400,
        'location.lat',
      ],
      [
        'latitude without longitude',
        () => submit(h.app, { ...pothole, location: { lat: 59 } }),
        400,
        'location.long',
      ],
      [
        'attribute value outside the allowed list',
        () => submit(h.app, { ...pothole, attributes: { size: 'enormous' } }),
        400,
        'attributes.size',
      ],
      [
        'multi-value attribute with a value outside the list',
        () => submit(h.app, { ...pothole, attributes: { size: 'small', surface: ['road', 'river'] } }),
        400,
        'attributes.surface',
      ],
      [
        'required attribute missing',
        () => submit(h.app, { ...pothole, attributes: { surface: ['road'] } }),
        400,
        'attributes.size',
      ],
      [
        'unknown attribute',
        () => submit(h.app, { ...pothole, attributes: { size: 'small', colour: 'red' } }),
        400,
        'attributes.colour',
      ],
      ['unknown channel', () => submit(h.app, { ...pothole, channel: 'pigeon' }), 400, 'channel'],
      [
        'bad e-mail',
        () => submit(h.app, { ...pothole, contact: { email: 'not-an-address' } }),
        400,
        'contact.email',
      ],
      [
        'unknown tenant',
        () =>
          h.app.inject({
            method: 'POST',
            url: '/v1/inquiries',
            headers: { 'x-samtal-tenant': 'atlantis' },
            payload: pothole,
          }),
        404,
        '',
      ],
      [
        'oversized upload',
        () => {
          const form = multipart([
            { name: 'inquiry', value: JSON.stringify(pothole) },
            {
              name: 'photos',
              value: Buffer.concat([PNG, Buffer.alloc(3000)]),
              filename: 'big.png',
              type: 'image/png',
            },
          ]);
          return h.app.inject({
            method: 'POST',
            url: '/v1/inquiries/with-photos',
            headers: { ...TENANT, 'content-type': form.contentType },
            payload: form.payload,
          });
        },
        413,
        'photos',
      ],
      [
        'upload that is not an image',
        () => {
          const form = multipart([
            { name: 'inquiry', value: JSON.stringify(pothole) },
            {
              name: 'photos',
              value: Buffer.from('%PDF-1.7 not a photo'),
              filename: 'hole.jpg',
              type: 'image/jpeg',
            },
          ]);
          return h.app.inject({
            method: 'POST',
            url: '/v1/inquiries/with-photos',
            headers: { ...TENANT, 'content-type': form.contentType },
            payload: form.payload,
          });
        },
        415,
        'photos',
      ],
      [
        'multipart without the inquiry part',
        () => {
          const form = multipart([{ name: 'photos', value: PNG, filename: 'hole.png', type: 'image/png' }]);
          return h.app.inject({
            method: 'POST',
            url: '/v1/inquiries/with-photos',
            headers: { ...TENANT, 'content-type': form.contentType },
            payload: form.payload,
          });
        },
        400,
        'inquiry',
      ],
      [
        'multipart with an invalid inquiry',
        () => {
          const form = multipart([
            { name: 'inquiry', value: JSON.stringify({ ...pothole, description: '' }) },
          ]);
          return h.app.inject({
            method: 'POST',
            url: '/v1/inquiries/with-photos',
            headers: { ...TENANT, 'content-type': form.contentType },
            payload: form.payload,
          });
        },
        400,
        'inquiry.description',
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, field) => {
      const before = await rowCounts(ctx.database);
      const res = await send();
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json();
      expect(body).toMatchObject({ status, requestId: expect.any(String) });
      if (field) expect(body.errors?.map((e) => e.field)).toContain(field);
      expect(await rowCounts(ctx.database)).toEqual(before);
    });
  });

  describe('photos', () => {
    it('stores JPEG, PNG and HEIC photos by their content and serves them to the token holder', async () => {
      const form = multipart([
        { name: 'inquiry', value: JSON.stringify(pothole) },
        { name: 'photos', value: PNG, filename: 'a.png', type: 'application/octet-stream' },
        { name: 'photos', value: JPEG, filename: 'b.jpg', type: 'image/jpeg' },
        { name: 'photos', value: HEIC, filename: 'c.heic', type: 'image/heic' },
      ]);
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/inquiries/with-photos',
        headers: { ...TENANT, 'content-type': form.contentType },
        payload: form.payload,
      });
      expect(res.statusCode).toBe(201);
      const { trackingCode, accessToken } = res.json();
      const row = await caseByCode(ctx.database, trackingCode);
      const stored = await ctx.database.db
        .select()
        .from(schema.attachments)
        .where(eq(schema.attachments.caseId, row.id));
      expect(stored.map((a) => a.contentType).sort()).toEqual(['image/heic', 'image/jpeg', 'image/png']);
      for (const a of stored) expect(existsSync(join(h.uploadDir, a.storageKey))).toBe(true);

      const view = (await follow(trackingCode, accessToken)).json();
      expect(view.photos).toHaveLength(3);
      const png = view.photos.find((p: { contentType: string }) => p.contentType === 'image/png');
      const photo = await h.app.inject({
        method: 'GET',
        url: `/v1/inquiries/${trackingCode}/photos/${png.id}`,
        headers: { ...TENANT, authorization: `Bearer ${accessToken}` },
      });
      expect(photo.statusCode).toBe(200);
      expect(photo.headers['content-type']).toBe('image/png');
      expect(photo.rawPayload.equals(PNG)).toBe(true);
      const stranger = await h.app.inject({
        method: 'GET',
        url: `/v1/inquiries/${trackingCode}/photos/${png.id}`,
        headers: { ...TENANT, authorization: 'Bearer wrong-token-000000' },
      });
      expect(stranger.statusCode).toBe(404);
    });
  });

  describe('follow', () => {
    it('shows the public timeline and replies, never internal notes; handler names only when the tenant allows', async () => {
      const res = await submit(h.app);
      const { trackingCode, accessToken } = res.json();
      const row = await caseByCode(ctx.database, trackingCode);
      const [officer] = await ctx.database.db
        .select()
        .from(schema.staffUsers)
        .where(eq(schema.staffUsers.email, 'officer@vasteras.demo'));
      await act(
        ctx,
        [
          {
            tenantId: h.demo.tenantId,
            caseId: row.id,
            action: 'route',
            data: { departmentId: h.demo.departments.streets },
          },
        ],
        officer!.id,
      );
      await act(ctx, [{ tenantId: h.demo.tenantId, caseId: row.id, action: 'accept' }], officer!.id);
      await ctx.database.db.insert(schema.messages).values([
        {
          tenantId: h.demo.tenantId,
          caseId: row.id,
          direction: 'internal_note',
          body: 'Neighbour complains a lot',
          authorStaffId: officer!.id,
        },
        {
          tenantId: h.demo.tenantId,
          caseId: row.id,
          direction: 'to_resident',
          body: 'We will fix it this week',
          authorStaffId: officer!.id,
          departmentId: h.demo.departments.streets,
        },
      ]);

      const view = await follow(trackingCode, accessToken);
      expect(view.statusCode).toBe(200);
      const body = view.json();
      expect(body).toMatchObject({
        trackingCode,
        status: 'accepted',
        open311Status: 'open',
        service: { code: 'pothole', name: 'Potthål' },
      });
      expect(body.timeline.map((t: { type?: string; kind: string }) => t.type ?? t.kind)).toEqual([
        'created',
        'routed',
        'accepted',
        'message',
      ]);
      expect(body.timeline[3]).toMatchObject({
        direction: 'to_resident',
        body: 'We will fix it this week',
        department: 'Gata och park',
        author: null,
      });
      expect(body.timeline[1]).toMatchObject({ department: 'Gata och park', handler: null });
      const text = JSON.stringify(body);
      expect(text).not.toContain('Neighbour complains');
      expect(text).not.toContain('Olle');
      expect(text).not.toContain(row.id);
      expect(text).not.toContain('accessTokenHash');

      await ctx.database.db
        .update(schema.tenants)
        .set({ hideHandlerNames: false })
        .where(eq(schema.tenants.id, h.demo.tenantId));
      const named = (await follow(trackingCode, accessToken)).json();
      expect(named.timeline[3].author).toBe('Olle Officer');
      expect(named.timeline[2].handler).toBe('Olle Officer');
      expect(JSON.stringify(named)).not.toContain('Neighbour complains');
      await ctx.database.db
        .update(schema.tenants)
        .set({ hideHandlerNames: true })
        .where(eq(schema.tenants.id, h.demo.tenantId));
    });

    it('accepts the tracking code as a resident types it', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const typed = trackingCode.toLowerCase().replaceAll('-', ' ');
      expect((await follow(encodeURIComponent(typed), accessToken)).statusCode).toBe(200);
    });

    it('answers an unknown code and a wrong token alike (404), and a missing token with 401', async () => {
      const { trackingCode } = (await submit(h.app)).json();
      const wrongToken = await follow(trackingCode, 'x'.repeat(32));
      const unknownCode = await follow('ZZZ-ZZZZ-ZZ', 'x'.repeat(32));
      expect(wrongToken.statusCode).toBe(404);
      expect(unknownCode.statusCode).toBe(404);
      const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });
      expect(strip(wrongToken.json())).toEqual(strip(unknownCode.json()));
      const missing = await h.app.inject({
        method: 'GET',
        url: `/v1/inquiries/${trackingCode}`,
        headers: TENANT,
      });
      expect(missing.statusCode).toBe(401);
    });

    it('takes no measurably different time for an unknown code than for a wrong token', async () => {
      const { trackingCode } = (await submit(h.app)).json();
      const time = async (code: string) => {
        const start = process.hrtime.bigint();
        await follow(code, 'y'.repeat(32));
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 30; i++) {
        known.push(await time(trackingCode));
        unknown.push(await time('ZZZ-ZZZZ-Z0'));
      }
      // Both do one indexed read and one hash comparison; allow generous noise on a shared VM.
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(Math.max(2, median(known)));
    });
  });

  describe('messages and requests for information', () => {
    it('adds the resident’s message; answering a request for information resumes the case and its clock', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const row = await caseByCode(ctx.database, trackingCode);
      const post = (body: unknown) =>
        h.app.inject({
          method: 'POST',
          url: `/v1/inquiries/${trackingCode}/messages`,
          headers: { ...TENANT, authorization: `Bearer ${accessToken}` },
          payload: body as object,
        });
      const plain = await post({ body: 'It is getting bigger' });
      expect(plain.statusCode).toBe(201);
      expect(plain.json()).toMatchObject({ status: 'new', resumed: false });

      await act(ctx, [
        {
          tenantId: h.demo.tenantId,
          caseId: row.id,
          action: 'route',
          data: { departmentId: h.demo.departments.streets },
        },
        { tenantId: h.demo.tenantId, caseId: row.id, action: 'accept' },
        { tenantId: h.demo.tenantId, caseId: row.id, action: 'request_information' },
      ]);
      expect((await caseByCode(ctx.database, trackingCode)).slaPausedAt).toBeInstanceOf(Date);
      const view = (await follow(trackingCode, accessToken)).json();
      expect(view.next.awaitingInformation).toBe(true);

      const answer = await post({ body: 'It is about 40 cm wide' });
      expect(answer.statusCode).toBe(201);
      expect(answer.json()).toMatchObject({ status: 'in_progress', resumed: true });
      const after = await caseByCode(ctx.database, trackingCode);
      expect(after.status).toBe('in_progress');
      expect(after.slaPausedAt).toBeNull();
      const events = await ctx.database.db
        .select()
        .from(schema.caseEvents)
        .where(eq(schema.caseEvents.caseId, row.id));
      expect(events.map((e) => e.type)).toContain('resident_replied');
      const clocks = await ctx.database.db
        .select()
        .from(schema.outbox)
        .where(eq(schema.outbox.queue, queueNames.clocks));
      expect(clocks.some((j) => j.payload.caseId === row.id && j.payload.reason === 'resident_replied')).toBe(
        true,
      );

      const timeline = (await follow(trackingCode, accessToken)).json().timeline;
      expect(
        timeline.filter((t: { kind: string }) => t.kind === 'message').map((m: { body: string }) => m.body),
      ).toEqual(['It is getting bigger', 'It is about 40 cm wide']);
    });

    it('refuses an empty message and a message with the wrong token, writing nothing', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const before = await rowCounts(ctx.database);
      const empty = await h.app.inject({
        method: 'POST',
        url: `/v1/inquiries/${trackingCode}/messages`,
        headers: { ...TENANT, authorization: `Bearer ${accessToken}` },
        payload: { body: ' ' },
      });
      expect(empty.statusCode).toBe(400);
      expect(empty.json().errors[0].field).toBe('body');
      const wrong = await h.app.inject({
        method: 'POST',
        url: `/v1/inquiries/${trackingCode}/messages`,
        headers: { ...TENANT, authorization: 'Bearer not-the-token-at-all' },
        payload: { body: 'Hello' },
      });
      expect(wrong.statusCode).toBe(404);
      expect(await rowCounts(ctx.database)).toEqual(before);
    });
  });

  describe('feedback', () => {
    const rate = (code: string, token: string, body: unknown) =>
      h.app.inject({
        method: 'POST',
        url: `/v1/inquiries/${code}/feedback`,
        headers: { ...TENANT, authorization: `Bearer ${token}` },
        payload: body as object,
      });

    it('refuses feedback before resolution and a second rating, writing nothing', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const row = await caseByCode(ctx.database, trackingCode);
      let before = await rowCounts(ctx.database);
      const early = await rate(trackingCode, accessToken, { rating: 5 });
      expect(early.statusCode).toBe(409);
      expect(early.json().errors[0].field).toBe('rating');
      expect(await rowCounts(ctx.database)).toEqual(before);

      await act(ctx, [{ tenantId: h.demo.tenantId, caseId: row.id, action: 'resolve' }]);
      const first = await rate(trackingCode, accessToken, { rating: 4, comment: 'Quick and kind' });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ rating: 4, requestedRehandling: false, status: 'resolved' });
      before = await rowCounts(ctx.database);
      const twice = await rate(trackingCode, accessToken, { rating: 1 });
      expect(twice.statusCode).toBe(409);
      expect(await rowCounts(ctx.database)).toEqual(before);
      const view = (await follow(trackingCode, accessToken)).json();
      expect(view.feedback).toMatchObject({ rating: 4, comment: 'Quick and kind' });
      expect(view.next.canGiveFeedback).toBe(false);
    });

    it('refuses ratings outside 1–5, and re-handling with a good rating', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const row = await caseByCode(ctx.database, trackingCode);
      await act(ctx, [{ tenantId: h.demo.tenantId, caseId: row.id, action: 'resolve' }]);
      const before = await rowCounts(ctx.database);
      for (const rating of [0, 6, 2.5, '5']) {
        const res = await rate(trackingCode, accessToken, { rating });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].field).toBe('rating');
      }
      const good = await rate(trackingCode, accessToken, { rating: 4, requestRehandling: true });
      expect(good.statusCode).toBe(400);
      expect(good.json().errors[0].field).toBe('requestRehandling');
      expect(await rowCounts(ctx.database)).toEqual(before);
    });

    it('reopens and re-routes the case when a dissatisfied resident asks within the window', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const row = await caseByCode(ctx.database, trackingCode);
      await act(ctx, [
        { tenantId: h.demo.tenantId, caseId: row.id, action: 'resolve' },
        { tenantId: h.demo.tenantId, caseId: row.id, action: 'close' },
      ]);
      const res = await rate(trackingCode, accessToken, {
        rating: 1,
        comment: 'Still there',
        requestRehandling: true,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ rating: 1, requestedRehandling: true, status: 'reopened' });
      const after = await caseByCode(ctx.database, trackingCode);
      expect(after).toMatchObject({ status: 'reopened', reopenCount: 1 });
      const jobs = await ctx.database.db
        .select()
        .from(schema.outbox)
        .where(eq(schema.outbox.queue, 'routing'));
      expect(jobs.some((j) => j.payload.caseId === row.id && j.payload.reason === 'reopened')).toBe(true);
    });

    it('refuses re-handling after the tenant’s window, writing nothing', async () => {
      const { trackingCode, accessToken } = (await submit(h.app)).json();
      const row = await caseByCode(ctx.database, trackingCode);
      await act(ctx, [{ tenantId: h.demo.tenantId, caseId: row.id, action: 'resolve' }]);
      await ctx.database.db
        .update(schema.cases)
        .set({ resolvedAt: new Date(Date.now() - 15 * 24 * 3600 * 1000) })
        .where(and(eq(schema.cases.tenantId, h.demo.tenantId), eq(schema.cases.id, row.id)));
      const before = await rowCounts(ctx.database);
      const res = await rate(trackingCode, accessToken, { rating: 2, requestRehandling: true });
      expect(res.statusCode).toBe(409);
      expect(res.json().errors[0].field).toBe('requestRehandling');
      expect(await rowCounts(ctx.database)).toEqual(before);
    });
  });

  describe('services and documentation', () => {
    it('lists services and a definition with its attributes', async () => {
      const list = await h.app.inject({ method: 'GET', url: '/v1/services?lang=en', headers: TENANT });
      expect(list.statusCode).toBe(200);
      expect(list.json().map((s: { code: string }) => s.code)).toContain('pothole');
      const one = await h.app.inject({ method: 'GET', url: '/v1/services/pothole?lang=en', headers: TENANT });
      expect(one.json().attributes[0]).toMatchObject({
        code: 'size',
        required: true,
        datatype: 'singlevaluelist',
      });
    });

    it('serves an OpenAPI 3.1 document with every public endpoint, and /docs', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toBe('3.1.0');
      for (const path of [
        '/v1/inquiries',
        '/v1/inquiries/with-photos',
        '/v1/inquiries/{trackingCode}',
        '/v1/inquiries/{trackingCode}/messages',
        '/v1/inquiries/{trackingCode}/feedback',
        '/v1/services',
        '/open311/v2/requests.{format}',
        '/open311/v2/services/{service_code}.{format}',
        '/open311/v2/tokens/{token}.{format}',
      ]) {
        expect(Object.keys(doc.paths)).toContain(path);
      }
      expect(
        doc.paths['/v1/inquiries'].post.requestBody.content['application/json'].schema.properties.description,
      ).toMatchObject({ maxLength: 4000 });
      const page = await h.app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
    });
  });

  describe('demographic questions', () => {
    it("lists the tenant's voluntary questions in the reader's language, in order", async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/demographic-dimensions?lang=en',
        headers: TENANT,
      });
      expect(res.statusCode).toBe(200);
      const dimensions = res.json() as {
        code: string;
        name: string;
        groups: { code: string; name: string }[];
      }[];
      expect(dimensions.map((d) => d.code)).toEqual(['gender', 'age_band', 'district', 'language']);
      expect(dimensions[0]).toEqual({
        code: 'gender',
        name: 'Gender',
        groups: [
          { code: 'woman', name: 'Woman' },
          { code: 'man', name: 'Man' },
          { code: 'non_binary', name: 'Other / non-binary' },
        ],
      });
      const sv = await h.app.inject({ method: 'GET', url: '/v1/demographic-dimensions', headers: TENANT });
      expect(sv.json()[0].name).toBe('Kön');
    });
  });

  describe('abuse and safety', () => {
    it('sets security headers and a request id on every answer', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/v1/services', headers: TENANT });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeTruthy();
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('allows browser calls only from the tenant’s origins', async () => {
      const allowed = await h.app.inject({
        method: 'GET',
        url: '/v1/services',
        headers: { ...TENANT, origin: 'http://localhost:8080' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:8080');
      const denied = await h.app.inject({
        method: 'GET',
        url: '/v1/services',
        headers: { ...TENANT, origin: 'https://evil.example' },
      });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await h.app.inject({
        method: 'OPTIONS',
        url: '/v1/inquiries',
        headers: {
          origin: 'http://localhost:8080',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-samtal-tenant',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toContain('x-samtal-tenant');
    });

    it('refuses bodies over the limit', async () => {
      const res = await submit(h.app, { ...pothole, description: 'x'.repeat(300 * 1024) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ status: 413, requestId: expect.any(String) });
    });
  });
});

describe('intake limits and outages', () => {
  const ctx = useTestContext();

  it('limits requests per client address, counting in Redis', async () => {
    const h = await startIntake(ctx, { config: { RATE_LIMIT_PER_MINUTE: 3 } });
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push((await h.app.inject({ method: 'GET', url: '/v1/services', headers: TENANT })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const limited = await h.app.inject({ method: 'GET', url: '/v1/services', headers: TENANT });
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, requestId: expect.any(String) });
    expect(await ctx.redis.keys(`${ctx.queuePrefix}:rate-limit:*`)).not.toEqual([]);
    await h.app.close();
  });

  it('counts requests that arrive together one by one, and shares the count between instances', async () => {
    // Requests of one event-loop turn are counted in one Redis call: none may slip through for it.
    const counters = await ctx.redis.keys(`${ctx.queuePrefix}:rate-limit:*`);
    if (counters.length) await ctx.redis.del(...counters);
    const seeded = (await ctx.database.sql`select 1 from tenants`).length > 0;
    const a = await startIntake(ctx, { config: { RATE_LIMIT_PER_MINUTE: 4 } }, !seeded);
    const b = await startIntake(ctx, { config: { RATE_LIMIT_PER_MINUTE: 4 } }, false);
    const get = (h: Harness) => h.app.inject({ method: 'GET', url: '/v1/services', headers: TENANT });
    const answers = await Promise.all([a, a, a, b, b, b].map(get));
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(4);
    expect(codes.filter((c) => c === 429)).toHaveLength(2);
    const remaining = answers
      .filter((r) => r.statusCode === 200)
      .map((r) => Number(r.headers['x-ratelimit-remaining']))
      .sort((x, y) => x - y);
    expect(remaining).toEqual([0, 1, 2, 3]);
    await a.app.close();
    await b.app.close();
  });

  it('answers 503 problem+json when PostgreSQL is down, and nothing is written', async () => {
    const { createDb } = await import('@samtal/db');
    const dead = createDb('postgres://postgres@127.0.0.1:1/none');
    const h = await startIntake(ctx, { db: dead }, false);
    const res = await submit(h.app);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 503, requestId: expect.any(String) });
    await h.app.close();
    await dead.close();
  });
});
