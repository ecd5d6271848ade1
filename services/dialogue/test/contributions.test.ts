import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, counts, createDialogue, type Fixture, fixture } from './helpers.ts';

const consent = { consent: true, consentTextVersion: 'dialog-2026-1' };

describe('contributions: participants, anonymous residents, recorded speakers', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let dialogueId: string;
  let token: string;
  let participationId: string;
  beforeAll(async () => {
    f = await fixture(ctx);
    dialogueId = await createDialogue(f);
    const registered = await f.app.inject({
      method: 'POST',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/participants`,
      payload: { demographics: { ...consent, groups: { gender: 'woman' } } },
    });
    token = registered.json().participantToken;
    participationId = registered.json().participationId;
  });
  afterAll(() => f.close());

  const contribute = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/public/${f.slug}/dialogues/${dialogueId}/contributions`,
      payload,
    });
  const record = (payload: Record<string, unknown>) =>
    f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${dialogueId}/contributions`,
      headers: f.facilitator.headers,
      payload,
    });

  it('takes no contributions before the dialogue opens', async () => {
    const res = await contribute({ kind: 'idea', body: 'Fler lampor' });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ field: 'status', message: 'is planned' }]);
  });

  it('takes contributions from participants, anonymous residents and recorded speakers while open', async () => {
    await act(f, dialogueId, 'open');
    const mine = await contribute({
      kind: 'idea',
      body: 'Fler lampor vid gångtunneln',
      themes: ['Belysning', 'belysning'],
      language: 'sv',
      participantToken: token,
    });
    expect(mine.statusCode).toBe(201);
    const anonymous = await contribute({
      kind: 'concern',
      body: 'It is dark by the bus stop',
      language: 'en',
      demographics: { ...consent, groups: { gender: 'man', age_band: '18-29' } },
    });
    expect(anonymous.statusCode).toBe(201);
    const spoken = await record({
      kind: 'proposal',
      body: 'Trygghetsvärdar på fredagskvällar',
      themes: ['trygghet'],
      speakingSeconds: 95,
      demographics: { ...consent, groups: { gender: 'woman', age_band: '65+' } },
    });
    expect(spoken.statusCode).toBe(201);
    const byParticipant = await record({ kind: 'question', body: 'När byts lamporna?', participationId });
    expect(byParticipant.statusCode).toBe(201);

    const list = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}/contributions?theme=belysning`,
      headers: f.manager.headers,
    });
    expect(list.json().contributions).toEqual([
      expect.objectContaining({ source: 'participant', themes: ['belysning'], response: null }),
    ]);
    const all = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${dialogueId}/contributions`,
      headers: f.manager.headers,
    });
    expect(all.json().contributions.map((c: { source: string }) => c.source)).toEqual([
      'participant',
      'anonymous',
      'facilitator',
      'facilitator',
    ]);
    expect(all.json().contributions[2].speakingSeconds).toBe(95);
  });

  it('refuses bad contributions with the field named, writing nothing', async () => {
    const before = await counts(ctx.database, f.tenantId);
    const cases: [Record<string, unknown>, string, number][] = [
      [{ kind: 'rant', body: 'x' }, 'kind', 400],
      [{ kind: 'idea', body: '   ' }, 'body', 400],
      [{ kind: 'idea', body: 'x', demographics: { groups: { gender: 'man' } } }, 'demographics.consent', 400],
      [{ kind: 'idea', body: 'x', language: 'zh-CN' }, 'language', 400],
      [{ kind: 'idea', body: 'x', participantToken: 'not-a-valid-token' }, '(token)', 401],
    ];
    for (const [payload, field, status] of cases) {
      const res = await contribute(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      if (status === 400) expect(res.json().errors[0].field).toBe(field);
    }
    const other = await createDialogue(f);
    const foreign = await record({
      kind: 'idea',
      body: 'x',
      participationId: await createParticipant(other),
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].field).toBe('participationId');
    expect(await counts(ctx.database, f.tenantId)).toMatchObject({
      contributions: before.contributions,
    });
  });

  it('takes no contributions once the dialogue is closed', async () => {
    await act(f, dialogueId, 'close');
    const before = await counts(ctx.database, f.tenantId);
    const res = await contribute({ kind: 'idea', body: 'Too late' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ status: 409, errors: [{ field: 'status', message: 'is closed' }] });
    expect((await record({ kind: 'idea', body: 'Too late' })).statusCode).toBe(409);
    expect(await counts(ctx.database, f.tenantId)).toEqual(before);
  });

  async function createParticipant(otherDialogueId: string): Promise<string> {
    const res = await f.app.inject({
      method: 'POST',
      url: `/v1/dialogues/${otherDialogueId}/participants`,
      headers: f.facilitator.headers,
      payload: { name: 'Elsewhere' },
    });
    return res.json().participationId;
  }
});
