import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createDialogue, type Fixture, fixture, plan } from './helpers.ts';

function multipart(headers: Record<string, string>, name: string, data: Buffer, filename = 'file.bin') {
  const boundary = '----samtal-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('dialogues: plan, lifecycle, method documentation, templates, attachments', () => {
  const ctx = useTestContext();
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(ctx, { uploadMaxBytes: 2048 });
  });
  afterAll(() => f.close());

  it('plans a dialogue and lists it', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: f.facilitator.headers,
      payload: { ...plan, venueTotal: 40, translations: { en: { title: 'Safety in Bäckby centre' } } },
    });
    expect(res.statusCode).toBe(201);
    const dialogue = res.json();
    expect(dialogue).toMatchObject({
      status: 'planned',
      allowedActions: ['open'],
      method: 'walk_and_talk',
      venueTotal: 40,
      targetGroups: { gender: { woman: 0.5, man: 0.5 } },
    });
    const list = await f.app.inject({ method: 'GET', url: '/v1/dialogues', headers: f.manager.headers });
    expect(list.json().dialogues.map((d: { id: string }) => d.id)).toContain(dialogue.id);
  });

  it('names every bad field of a plan', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: f.facilitator.headers,
      payload: {
        ...plan,
        languages: ['sv', 'fi'],
        targetGroups: { gender: { woman: 0.7, man: 0.6 }, shoe_size: { big: 0.1 } },
      },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['languages.1', 'targetGroups.gender', 'targetGroups.shoe_size']),
    );
    const missing = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: f.facilitator.headers,
      payload: { title: 'Only a title' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'question',
      'purpose',
      'method',
      'languages',
    ]);
  });

  it('runs planned → open → closed → reported and refuses everything else with 409', async () => {
    const id = await createDialogue(f);
    const wrong = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/transitions`,
      headers: f.facilitator.headers,
      payload: { action: 'close' },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().errors).toEqual([{ field: 'action', message: 'not allowed while planned' }]);
    expect((await act(f, id, 'open')).status).toBe('open');
    expect((await act(f, id, 'close')).status).toBe('closed');
    // Reporting publishes outcomes, so it needs at least one.
    const empty = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/transitions`,
      headers: f.facilitator.headers,
      payload: { action: 'report' },
    });
    expect(empty.statusCode).toBe(422);
    await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/outcomes`,
      headers: f.facilitator.headers,
      payload: { kind: 'decision', titles: { sv: 'Ny belysning' } },
    });
    const reported = await act(f, id, 'report');
    expect(reported).toMatchObject({ status: 'reported', allowedActions: [] });
    expect(reported.openedAt && reported.closedAt && reported.reportedAt).toBeTruthy();
    // The plan is frozen once closed; the method documentation is not.
    const plan2 = await f.app.inject({
      method: 'PATCH',
      url: `/v1/dialogues/${id}`,
      headers: f.facilitator.headers,
      payload: { title: 'Changed' },
    });
    expect(plan2.statusCode).toBe(409);
    const documented = await f.app.inject({
      method: 'PATCH',
      url: `/v1/dialogues/${id}`,
      headers: f.facilitator.headers,
      payload: { methodDocumentation: { howItWasRun: 'Two walks at dusk with 12 residents each.' } },
    });
    expect(documented.statusCode).toBe(200);
    expect(documented.json().methodDocumentation.howItWasRun).toContain('Two walks');
  });

  it('turns a documented method into a template and starts a new dialogue from it', async () => {
    const id = await createDialogue(f);
    const undocumented = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogue-templates',
      headers: f.facilitator.headers,
      payload: { fromDialogueId: id },
    });
    expect(undocumented.statusCode).toBe(422);
    await f.app.inject({
      method: 'PATCH',
      url: `/v1/dialogues/${id}`,
      headers: f.facilitator.headers,
      payload: {
        methodDocumentation: {
          howItWasRun: 'Walk the route at dusk; stop at five points; note what people say.',
          materials: 'Map, torches, sticky notes',
          whatWorked: 'Meeting at the bus stop',
        },
      },
    });
    await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/survey/questions`,
      headers: f.facilitator.headers,
      payload: { kind: 'scale', prompts: { sv: 'Hur trygg känner du dig?' } },
    });
    const template = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogue-templates',
      headers: f.facilitator.headers,
      payload: { fromDialogueId: id, title: 'Trygghetsvandring' },
    });
    expect(template.statusCode).toBe(201);
    expect(template.json()).toMatchObject({
      isTemplate: true,
      title: 'Trygghetsvandring',
      allowedActions: [],
    });
    const templates = await f.app.inject({
      method: 'GET',
      url: '/v1/dialogue-templates',
      headers: f.manager.headers,
    });
    expect(templates.json().templates).toHaveLength(1);

    const fromTemplate = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: f.facilitator.headers,
      payload: {
        templateId: template.json().id,
        title: 'Trygghetsvandring Skiljebo',
        question: 'Var känner du dig otrygg?',
      },
    });
    expect(fromTemplate.statusCode).toBe(201);
    expect(fromTemplate.json()).toMatchObject({
      method: 'walk_and_talk',
      templateId: template.json().id,
      methodDocumentation: { materials: 'Map, torches, sticky notes' },
      status: 'planned',
    });
    const survey = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${fromTemplate.json().id}/survey`,
      headers: f.facilitator.headers,
    });
    expect(survey.json().questions).toHaveLength(1);
    // A template is not a dialogue to run.
    const run = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${template.json().id}/transitions`,
      headers: f.facilitator.headers,
      payload: { action: 'open' },
    });
    expect(run.statusCode).toBe(404);
  });

  it('stores materials judged by their content, not their name, within the size limit', async () => {
    const id = await createDialogue(f);
    const ok = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/attachments`,
      ...multipart(f.facilitator.headers, 'file', pdf, 'handout.txt'),
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      originalName: 'handout.txt',
    });

    const disguised = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/attachments`,
      ...multipart(f.facilitator.headers, 'file', Buffer.from('<script>alert(1)</script>'), 'map.pdf'),
    });
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().errors[0].field).toBe('file');

    const big = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${id}/attachments`,
      ...multipart(f.facilitator.headers, 'file', Buffer.concat([pdf, Buffer.alloc(4096, 32)]), 'big.pdf'),
    });
    expect(big.statusCode).toBe(413);

    const list = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${id}/attachments`,
      headers: f.manager.headers,
    });
    expect(list.json().attachments).toHaveLength(1);
    const download = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${id}/attachments/${ok.json().id}`,
      headers: f.manager.headers,
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.rawPayload.equals(pdf)).toBe(true);
  });
});
