import { useTestContext } from '@samtal/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, screenshot, seriousViolations } from './browser.ts';
import { DEMO_PASSWORD, startStack } from './stack.ts';

const residentPages = ['/', '/track', '/chat', '/dialogues'];
const staffPages = [
  '/desk',
  '/manager',
  '/manager/equity',
  '/manager/wallboard',
  '/manager/dialogues',
  '/facilitator',
  '/admin/categories',
  '/admin/departments',
  '/admin/routing',
  '/admin/sla',
  '/admin/calendars',
  '/admin/staff',
  '/admin/apiKeys',
  '/admin/knowledge',
];

/** Every page: axe-core clean, usable at 390×844, in each language, and by keyboard alone. */
describe('every page', () => {
  const ctx = useTestContext();
  let stack: Awaited<ReturnType<typeof startStack>>;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack(ctx);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is usable on a 390×844 phone: no sideways scrolling, no serious axe violation', async () => {
    const context = await newContext(browser, { viewport: { width: 390, height: 844 }, mobile: true });
    const page = await context.newPage();
    for (const path of residentPages) {
      await page.goto(`${stack.baseUrl}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      await screenshot(page, `mobile${path.replace(/\//g, '-') || '-home'}`);
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await page.goto(`${stack.baseUrl}/desk`);
    await page.getByLabel('E-post').fill('supervisor@vasteras.demo');
    await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByTestId('live-state').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'mobile-desk');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('staff pages pass axe-core for an admin', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/admin`);
    await page.getByLabel('E-post').fill('admin@vasteras.demo');
    await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    for (const path of staffPages) {
      await page.goto(`${stack.baseUrl}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, `staff${path.replace(/\//g, '-')}`);
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await context.close();
  });

  it('speaks every language it has a file for, and sets <html lang>', async () => {
    const context = await newContext(browser, { locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(stack.baseUrl);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('Language').selectOption('zh-CN');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('heading', { level: 1, name: '联系市政府' }).waitFor();
    await screenshot(page, 'resident-form-zh-CN');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('语言').selectOption('sv');
    await page.getByRole('heading', { level: 1, name: 'Kontakta kommunen' }).waitFor();
    await context.close();
  });

  it('works by keyboard: skip link, then a category, the description and the send button', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(stack.baseUrl);
    await page.locator('input[name="category"]').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hoppa till innehållet');
    await page.keyboard.press('Enter');
    // From <main>, Tab reaches the first category radio; arrow keys choose within the group.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(
      'category',
    );
    await page.keyboard.press('Space');
    expect(await page.locator('input[name="category"]:checked').count()).toBe(1);
    const focusVisible = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return getComputedStyle(el).outlineStyle !== 'none' || getComputedStyle(el).boxShadow !== 'none';
    });
    expect(focusVisible).toBe(true);
    await context.close();
  });
});
