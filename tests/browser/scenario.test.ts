import { useTestContext } from '@samtal/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, screenshot, seriousViolations, watchErrors } from './browser.ts';
import { DEMO_PASSWORD, startStack } from './stack.ts';

/**
 * The scenario, end to end in Chromium against the real services: a resident submits in
 * Swedish and gets a tracking code; an agent in another browser context sees it arrive live,
 * claims, replies and resolves; the resident sees the reply and rates it; a manager sees the count
 * move. axe-core runs on every page; screenshots go to tests/artifacts/browser/.
 */
describe('resident, agent and manager in Chromium', () => {
  const ctx = useTestContext();
  let stack: Awaited<ReturnType<typeof startStack>>;
  let browser: Browser;
  let resident: Page;
  let agent: Page;
  let manager: Page;
  const errors: string[][] = [];
  let trackingCode = '';

  async function expectAccessible(page: Page, name: string) {
    await screenshot(page, name);
    const violations = await seriousViolations(page);
    expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }

  async function signIn(page: Page, path: string, email: string) {
    await page.goto(`${stack.baseUrl}${path}`);
    await page.getByLabel('E-post').fill(email);
    await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
  }

  async function casesTile(): Promise<string> {
    return (await manager.getByTestId('tile-cases').locator('.value').textContent()) ?? '';
  }

  beforeAll(async () => {
    stack = await startStack(ctx);
    browser = await launch();
    for (const role of ['resident', 'agent', 'manager'] as const) {
      const page = await (await newContext(browser)).newPage();
      errors.push(watchErrors(page));
      if (role === 'resident') resident = page;
      if (role === 'agent') agent = page;
      if (role === 'manager') manager = page;
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('the agent signs in and the queue goes live', async () => {
    await signIn(agent, '/desk', 'agent@vasteras.demo');
    await expect
      .poll(() => agent.getByTestId('live-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    await expectAccessible(agent, '01-agent-queue-empty');
  });

  it('the manager signs in and watches the wallboard', async () => {
    await signIn(manager, '/manager', 'manager@vasteras.demo');
    await manager.getByTestId('tile-cases').waitFor();
    await expectAccessible(manager, '02-manager-dashboard');
    await manager.getByRole('link', { name: 'Väggtavla' }).click();
    await manager.getByTestId('wallboard-mode').waitFor();
    await manager.getByTestId('tile-cases').waitFor();
    expect(await casesTile()).toBe('0');
    await expectAccessible(manager, '02-manager-wallboard-before');
  });

  it('a resident submits an inquiry in Swedish and gets a tracking code', async () => {
    await resident.goto(stack.baseUrl);
    expect(await resident.locator('html').getAttribute('lang')).toBe('sv');
    await expect
      .poll(() => resident.locator('input[name="category"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await expectAccessible(resident, '03-resident-form');
    await resident.locator('input[name="category"]').first().check();
    // Answer whatever the category asks, as a resident would.
    await resident.waitForTimeout(500);
    for (const fieldset of await resident
      .locator('section[aria-labelledby="attributes-heading"] fieldset')
      .all()) {
      await fieldset.locator('input').first().check();
    }
    for (const input of await resident
      .locator(
        'section[aria-labelledby="attributes-heading"] input[type="text"], section[aria-labelledby="attributes-heading"] textarea',
      )
      .all()) {
      await input.fill('1');
    }
    for (const input of await resident
      .locator('section[aria-labelledby="attributes-heading"] input[type="number"]')
      .all()) {
      await input.fill('1');
    }
    await resident
      .getByLabel('Beskriv ditt ärende')
      .fill('Gatlampan utanför Stora Torget 3 är trasig sedan i måndags.');
    await resident.getByLabel('Adress eller plats').fill('Stora Torget 3, Västerås');
    await resident.getByRole('button', { name: 'Skicka', exact: true }).click();
    const code = resident.getByTestId('tracking-code');
    await code.waitFor();
    trackingCode = (await code.textContent())!.trim();
    expect(trackingCode).toMatch(/^[0-9A-Z-]{6,}$/);
    await expectAccessible(resident, '04-resident-receipt');
  });

  it('the agent sees it arrive live, claims it and replies', async () => {
    const item = agent.locator(`[data-tracking-code="${trackingCode}"]`);
    await item.waitFor({ timeout: 15_000 });
    await expectAccessible(agent, '05-agent-queue-arrived');
    await item.getByRole('link').click();
    await agent.getByRole('button', { name: 'Ta ärendet' }).click();
    await expect
      .poll(() => item.getByTestId('claim').textContent(), { timeout: 10_000 })
      .toBe('Du har det här ärendet');
    await agent
      .getByLabel('Svar', { exact: true })
      .fill('Tack! Vi har skickat en elektriker som byter lampan i dag.');
    await agent.getByRole('button', { name: 'Skicka svar' }).click();
    await agent.getByTestId('desk-timeline').getByText('Vi har skickat en elektriker').waitFor();
    await agent.getByRole('button', { name: 'Avsluta', exact: true }).click();
    await expect
      .poll(() => agent.locator('#case-title .badge').textContent(), { timeout: 10_000 })
      .toBe('Löst');
    await expectAccessible(agent, '06-agent-case');
  });

  it('the resident sees the reply and rates the service', async () => {
    await resident.getByRole('link', { name: 'Följ ditt ärende' }).first().click();
    await resident.getByRole('button', { name: 'Visa mitt ärende' }).click();
    await resident.getByTestId('timeline').getByText('Vi har skickat en elektriker').waitFor();
    await expect
      .poll(() => resident.getByTestId('case-status').textContent(), { timeout: 10_000 })
      .toBe('Löst');
    await expectAccessible(resident, '07-resident-case');
    await resident.getByLabel('5 – Mycket nöjd').check();
    await resident.getByRole('button', { name: 'Skicka betyg' }).click();
    await resident.getByTestId('feedback-given').waitFor();
    await expectAccessible(resident, '08-resident-rated');
  });

  it('the manager sees the count move on the wallboard without touching it', async () => {
    await expect.poll(casesTile, { timeout: 20_000, interval: 1000 }).toBe('1');
    await expectAccessible(manager, '09-manager-wallboard-after');
    await manager.getByRole('link', { name: 'Jämlikhet' }).click();
    await manager.getByRole('heading', { level: 2, name: 'Jämlikhet' }).waitFor();
    await expectAccessible(manager, '10-manager-equity');
  });

  it('raised no script errors in any page', () => {
    expect(errors.flat()).toEqual([]);
  });
});
