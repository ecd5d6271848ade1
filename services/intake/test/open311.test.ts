import { DEMO_OPEN311_KEY, schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, type Harness, rowCounts, startIntake } from './helpers.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) =>
    ['service', 'request', 'attribute', 'value', 'error', 'endpoint', 'format'].includes(name),
});

function form(fields: [string, string][]): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** An Open311 GeoReport v2 client as an app would write it, against the injected server. */
function client(h: Harness, format: 'json' | 'xml') {
  const parse = (res: { body: string; headers: Record<string, unknown> }) => {
    if (format === 'json') {
      expect(res.headers['content-type']).toContain('application/json');
      return JSON.parse(res.body);
    }
    expect(res.headers['content-type']).toContain('text/xml');
    return xml.parse(res.body);
  };
  return {
    get: async (path: string) => {
      const res = await h.app.inject({ method: 'GET', url: `/open311/v2/${path.replace('{f}', format)}` });
      return { status: res.statusCode, body: parse(res) };
    },
    post: async (path: string, fields: [string, string][]) => {
      const res = await h.app.inject({
        method: 'POST',
        url: `/open311/v2/${path.replace('{f}', format)}`,
        headers: FORM,
        payload: form(fields),
      });
      return { status: res.statusCode, body: parse(res) };
    },
  };
}

describe('Open311 GeoReport v2', () => {
  const ctx = useTestContext();
  let h: Harness;

  beforeAll(async () => {
    h = await startIntake(ctx);
  });
  afterAll(async () => {
    await h.app.close();
  });

  /** The demo pothole request, with `changes` replacing (or adding) fields. */
  const potholeFields = (changes: [string, string][] = []): [string, string][] => {
    const replaced = new Set(changes.map(([k]) => k));
    return [...basePothole.filter(([k]) => !replaced.has(k)), ...changes];
  };
  const basePothole: [string, string][] = [
    ['api_key', DEMO_OPEN311_KEY],
    ['jurisdiction_id', 'vasteras'],
    ['service_code', 'pothole'],
    ['lat', '59.6110'],
    ['long', '16.5450'],
    ['address_string', 'Biblioteksgatan 1'],
    ['description', 'Pothole in the cycle lane'],
    ['email', 'app-user@example.org'],
    ['first_name', 'Eva'],
    ['last_name', 'Berg'],
    ['media_url', 'https://photos.example.org/p.jpg'],
    ['attribute[size]', 'medium'],
    ['attribute[surface][]', 'cycleway'],
    ['attribute[surface][]', 'pavement'],
  ];

  it('JSON: lists services, reads a definition, posts a request, reads it back by token and by id', async () => {
    const api = client(h, 'json');
    const discovery = await api.get('discovery.{f}');
    expect(discovery.status).toBe(200);
    expect(discovery.body.endpoints[0]).toMatchObject({
      type: 'production',
      formats: ['text/xml', 'application/json'],
    });

    const services = await api.get('services.{f}?jurisdiction_id=vasteras&lang=en');
    expect(services.status).toBe(200);
    const pothole = services.body.find((s: { service_code: string }) => s.service_code === 'pothole');
    expect(pothole).toMatchObject({
      service_name: 'Pothole',
      metadata: true,
      type: 'realtime',
      group: 'streets',
    });
    expect(services.body.map((s: { service_code: string }) => s.service_code)).not.toContain(
      'violence-support',
    );

    const definition = await api.get('services/pothole.{f}?jurisdiction_id=vasteras&lang=en');
    expect(definition.status).toBe(200);
    expect(definition.body.service_code).toBe('pothole');
    expect(definition.body.attributes[0]).toMatchObject({
      variable: true,
      code: 'size',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      description: 'How large is the hole?',
    });
    expect(definition.body.attributes[0].values).toContainEqual({ key: 'medium', name: 'Like a football' });

    const posted = await api.post('requests.{f}', potholeFields());
    expect(posted.status).toBe(201);
    const [created] = posted.body;
    expect(created.service_request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.token).toBeTruthy();
    expect(created.tracking_code).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{3}$/);

    const byToken = await api.get(`tokens/${created.token}.{f}?jurisdiction_id=vasteras`);
    expect(byToken.status).toBe(200);
    expect(byToken.body).toEqual([{ service_request_id: created.service_request_id, token: created.token }]);

    const byId = await api.get(
      `requests/${created.service_request_id}.{f}?jurisdiction_id=vasteras&api_key=${DEMO_OPEN311_KEY}`,
    );
    expect(byId.status).toBe(200);
    expect(byId.body[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      status_notes: 'Received',
      service_code: 'pothole',
      service_name: 'Potthål',
      description: 'Pothole in the cycle lane',
      address: 'Biblioteksgatan 1',
      lat: 59.611,
      long: 16.545,
      media_url: 'https://photos.example.org/p.jpg',
    });
    expect(byId.body[0].expected_datetime).toMatch(/^\d{4}-/);

    const [row] = await ctx.database.db
      .select()
      .from(schema.cases)
      .where(eq(schema.cases.id, created.service_request_id));
    expect(row).toMatchObject({
      channel: 'open311',
      attributes: { size: 'medium', surface: ['cycleway', 'pavement'] },
      contactName: 'Eva Berg',
      contactEmail: 'app-user@example.org',
    });
    expect(row!.apiClientId).toBeTruthy();
    const [job] = await ctx.database.db
      .select()
      .from(schema.outbox)
      .where(eq(schema.outbox.queue, 'routing'));
    expect(job!.payload).toMatchObject({ caseId: created.service_request_id, reason: 'created' });
  });

  it('XML: the same round trip', async () => {
    const api = client(h, 'xml');
    const discovery = await api.get('discovery.{f}');
    expect(discovery.body.discovery.endpoints.endpoint[0].formats.format).toEqual([
      'text/xml',
      'application/json',
    ]);

    const services = await api.get('services.{f}');
    expect(services.status).toBe(200);
    const codes = services.body.services.service.map((s: { service_code: string }) => s.service_code);
    expect(codes).toContain('pothole');

    const definition = await api.get('services/waste-collection.{f}');
    expect(definition.status).toBe(200);
    const attribute = definition.body.service_definition.attributes.attribute[0];
    expect(attribute).toMatchObject({ code: 'bin_type', datatype: 'singlevaluelist', required: 'true' });
    expect(attribute.values.value.map((v: { key: string }) => v.key)).toEqual([
      'food',
      'residual',
      'packaging',
    ]);

    const posted = await api.post('requests.{f}', [
      ['api_key', DEMO_OPEN311_KEY],
      ['service_code', 'waste-collection'],
      ['address_string', 'Stora torget 1'],
      ['description', 'The food waste bin was not emptied'],
      ['attribute[bin_type]', 'food'],
    ]);
    expect(posted.status).toBe(201);
    const created = posted.body.service_requests.request[0];
    expect(created.service_request_id).toMatch(/^[0-9a-f-]{36}$/);

    const byToken = await api.get(`tokens/${created.token}.{f}`);
    expect(byToken.body.service_requests.request[0].service_request_id).toBe(created.service_request_id);
    const byId = await api.get(`requests/${created.service_request_id}.{f}`);
    expect(byId.status).toBe(200);
    expect(byId.body.service_requests.request[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      service_code: 'waste-collection',
      address: 'Stora torget 1',
      // Without the posting app's api_key, descriptions stay private.
      description: '',
    });
  });

  it('queries requests by id list, service code, status, dates, with pages', async () => {
    const api = client(h, 'json');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api.post('requests.{f}', potholeFields([['description', `Hole number ${i}`]]));
      ids.push(body[0].service_request_id);
    }
    const all = await api.get('requests.{f}');
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThanOrEqual(3);

    const two = await api.get(`requests.{f}?service_request_id=${ids[0]},${ids[1]}`);
    expect(two.body.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual(
      [ids[0], ids[1]].sort(),
    );

    await act(ctx, [{ tenantId: h.demo.tenantId, caseId: ids[2]!, action: 'resolve' }]);
    const closed = await api.get('requests.{f}?status=closed&service_code=pothole');
    expect(closed.body.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([ids[2]]);
    expect(closed.body[0]).toMatchObject({ status: 'closed', status_notes: 'Resolved' });
    const open = await api.get('requests.{f}?status=open&service_code=pothole');
    expect(open.body.map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(ids[2]);

    const page1 = await api.get('requests.{f}?service_code=pothole&page_size=2&page=1');
    const page2 = await api.get('requests.{f}?service_code=pothole&page_size=2&page=2');
    expect(page1.body).toHaveLength(2);
    expect(page2.body.length).toBeGreaterThanOrEqual(1);
    expect(page1.body.map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(
      page2.body[0].service_request_id,
    );

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await api.get(`requests.{f}?start_date=${encodeURIComponent(future)}`);
    expect(none.body).toEqual([]);
    const old = await api.get('requests.{f}?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z');
    expect(old.body).toEqual([]);
  });

  it('never lists sensitive services', async () => {
    const api = client(h, 'json');
    const refused = await api.post('requests.{f}', [
      ['api_key', DEMO_OPEN311_KEY],
      ['service_code', 'violence-support'],
      ['address_string', 'x'],
      ['description', 'help'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body[0].description).toContain('service_code');
    expect((await api.get('services/violence-support.{f}')).status).toBe(404);
  });

  describe('errors in the spec’s format, and nothing written', () => {
    const bad: [string, 'json' | 'xml', [string, string][], number, string][] = [
      ['a missing api_key', 'json', potholeFields().filter(([k]) => k !== 'api_key'), 403, 'api_key'],
      ['a wrong api_key', 'xml', potholeFields([['api_key', 'not-a-key']]), 403, 'api_key'],
      ['an unknown service_code', 'json', potholeFields([['service_code', 'dragons']]), 400, 'service_code'],
      [
        'an unknown jurisdiction',
        'json',
        potholeFields([['jurisdiction_id', 'atlantis']]),
        404,
        'jurisdiction_id',
      ],
      ['lat out of range', 'json', potholeFields([['lat', '95']]), 400, 'lat'],
      ['long not a number', 'xml', potholeFields([['long', 'east']]), 400, 'long'],
      [
        'no location',
        'json',
        potholeFields().filter(([k]) => !['lat', 'long', 'address_string'].includes(k)),
        400,
        'lat',
      ],
      ['an empty description', 'json', potholeFields([['description', '  ']]), 400, 'description'],
      [
        'a description over 4,000 characters',
        'json',
        potholeFields([['description', 'x'.repeat(4001)]]),
        400,
        'description',
      ],
      [
        'an attribute value outside the list',
        'json',
        potholeFields([['attribute[size]', 'huge']]),
        400,
        'attribute[size]',
      ],
      [
        'a required attribute missing',
        'xml',
        potholeFields().filter(([k]) => k !== 'attribute[size]'),
        400,
        'attribute[size]',
      ],
      [
        'an http media_url',
        'json',
        potholeFields([['media_url', 'http://x.example/p.jpg']]),
        400,
        'media_url',
      ],
    ];

    it.each(bad)('%s', async (_name, format, fields, status, field) => {
      const before = await rowCounts(ctx.database);
      const res = await client(h, format).post('requests.{f}', fields);
      expect(res.status).toBe(status);
      const errors = format === 'json' ? res.body : res.body.errors.error;
      expect(errors).toHaveLength(1);
      expect(Number(errors[0].code)).toBe(status);
      expect(errors[0].description).toContain(field);
      expect(errors[0].description).toMatch(/request id/);
      expect(await rowCounts(ctx.database)).toEqual(before);
    });

    it('answers unknown ids, tokens and paths with 404 in the requested format', async () => {
      const json = client(h, 'json');
      const missing = await json.get('requests/00000000-0000-4000-8000-000000000000.{f}');
      expect(missing.status).toBe(404);
      expect(missing.body[0]).toMatchObject({ code: 404 });
      expect((await json.get('tokens/nope.{f}')).status).toBe(404);
      const xmlMissing = await client(h, 'xml').get('requests/nope.{f}');
      expect(xmlMissing.status).toBe(404);
      expect(xmlMissing.body.errors.error[0].code).toBe('404');
      const path = await client(h, 'xml').get('nothing-here.{f}');
      expect(path.status).toBe(404);
      expect(path.body.errors.error[0].code).toBe('404');
    });

    it('refuses bad query parameters with 400', async () => {
      const json = client(h, 'json');
      expect((await json.get('requests.{f}?status=pending')).status).toBe(400);
      expect((await json.get('requests.{f}?page_size=5000')).status).toBe(400);
      expect((await json.get('requests.{f}?start_date=yesterday')).status).toBe(400);
      expect((await json.get('requests.{f}?service_request_id=1,2')).status).toBe(400);
      expect(
        (await json.get('requests.{f}?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z')).status,
      ).toBe(400);
    });
  });
});
