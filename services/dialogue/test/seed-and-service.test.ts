import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPilotDialogues } from '../src/seed.ts';
import { type Fixture, fixture } from './helpers.ts';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

describe('the two pilot dialogues of the demo, and the service entry', () => {
  const ctx = useTestContext();
  let f: Fixture;
  let ids: string[];
  beforeAll(async () => {
    f = await fixture(ctx);
    ids = await seedPilotDialogues(ctx.database.db, f.tenantId);
  });
  afterAll(() => f.close());

  it('seeds two pilots once: one reported with "you said, we did", one open for residents', async () => {
    expect(ids).toHaveLength(2);
    expect(await seedPilotDialogues(ctx.database.db, f.tenantId)).toEqual([]);
    const list = await f.app.inject({ method: 'GET', url: `/v1/public/${f.slug}/dialogues?lang=en` });
    expect(
      list
        .json()
        .dialogues.map((d: { title: string; status: string }) => [d.title, d.status])
        .sort(),
    ).toEqual([
      ['Safety walk in Bäckby centre', 'reported'],
      ['Young people on Skiljebo park', 'open'],
    ]);
    const page = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${ids[0]}/outcomes?lang=en`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.json().outcomes).toHaveLength(2);
    expect(page.json().indicators.participants).toBe(46);
    const templates = await f.app.inject({
      method: 'GET',
      url: '/v1/dialogue-templates',
      headers: f.manager.headers,
    });
    expect(templates.json().templates[0].methodDocumentation.howItWasRun).toContain('evening walks');
    const survey = await f.app.inject({
      method: 'GET',
      url: `/v1/public/${f.slug}/dialogues/${ids[1]}/survey?lang=en`,
    });
    expect(survey.json().questions).toHaveLength(5);
  });

  it('gives a manager the women-and-men answer for the walk', async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: `/v1/dialogues/${ids[0]}/indicators`,
      headers: f.manager.headers,
    });
    const { womenAndMen, participants } = res.json();
    expect(participants).toBe(46);
    // 22 women and 19 men of 46 people; 6 and 6 of 17 contributions.
    expect(womenAndMen.reached.woman).toBeCloseTo(22 / 46 / 0.496875, 10);
    expect(womenAndMen.reached.man).toBeCloseTo(19 / 46 / 0.5, 10);
    expect(womenAndMen.heard.woman).toBeCloseTo(6 / 17 / 0.496875, 10);
    expect(womenAndMen.heard.man).toBeCloseTo(6 / 17 / 0.5, 10);
  });

  // A child process: node with tsx's loader directly (no pnpm in between), and time for a busy machine.
  it('exits 78 naming a bad environment variable', { timeout: 120_000 }, async () => {
    const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serviceDir,
      env: { ...process.env, DIALOGUE_PORT: 'not-a-port' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 78 });
    expect((error as { stderr: string }).stderr).toContain('DIALOGUE_PORT="not-a-port"');
  });
});
