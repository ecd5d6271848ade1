import { useTestContext } from '@samtal/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, screenshot, seriousViolations, watchErrors } from './browser.ts';
import { DEMO_PASSWORD, startStack } from './stack.ts';

/**
 * The configuring side in Chromium against the real services: an administrator adds a category
 * with a question of its own (and sees the API's field errors next to the field), which residents
 * then get in the portal; a facilitator runs a dialogue from plan to "you said, we did", which
 * residents then read. axe-core runs on each page; screenshots go to tests/artifacts/browser/.
 */
/** expect.poll waits 1 s by default; a machine under load needs longer for a change to show. */
const patience = { timeout: 15_000 };

describe('administrator and facilitator in Chromium', () => {
  const ctx = useTestContext();
  let stack: Awaited<ReturnType<typeof startStack>>;
  let browser: Browser;
  const errors: string[][] = [];

  async function expectAccessible(page: Page, name: string) {
    await screenshot(page, name);
    const violations = await seriousViolations(page);
    expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }

  async function open(path: string, email?: string): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    errors.push(watchErrors(page));
    await page.goto(`${stack.baseUrl}${path}`);
    if (email) {
      await page.getByLabel('E-post').fill(email);
      await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Logga in' }).click();
    }
    return page;
  }

  beforeAll(async () => {
    stack = await startStack(ctx);
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('an administrator adds a category with a question (residents are asked it), an API key and a staff member', async () => {
    const admin = await open('/admin/categories', 'admin@vasteras.demo');
    await admin.getByRole('heading', { level: 3, name: 'Lägg till i Kategorier' }).waitFor();

    // The API's problem+json names the field; the page shows it next to that field.
    await admin.locator('#category-code').fill('Fallna träd!');
    const names = admin.getByRole('group', { name: /^Namn/ });
    await names.getByLabel('Svenska').fill('Fallna träd');
    await names.getByLabel('English').fill('Fallen trees');
    await admin.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await admin.locator('#category-code-error').waitFor();
    expect(await admin.locator('#category-code').getAttribute('aria-invalid')).toBe('true');
    expect(await admin.locator('#category-code-error').textContent()).toContain('lower-case');
    await expectAccessible(admin, 'admin-01-category-field-error');

    await admin.locator('#category-code').fill('fallen-trees');
    await admin.getByRole('button', { name: 'Lägg till', exact: true }).click();
    const row = admin.getByRole('row', { name: /fallen-trees/ });
    await row.waitFor();
    expect(await admin.locator('#category-code-error').count()).toBe(0);

    // Its question: a single choice with two answers.
    await row.getByRole('button', { name: /Frågor/ }).click();
    const panel = admin.getByRole('region', { name: /Frågor: Fallna träd/ });
    await panel.getByRole('heading', { name: 'Frågor som ställs för Fallna träd' }).waitFor();
    await panel.getByLabel(/^Kod/).fill('tree_size');
    await panel.getByLabel(/^Svarstyp/).selectOption('singlevaluelist');
    await panel.getByLabel('Svenska').fill('Hur stort är trädet?');
    await panel.getByLabel('Val', { exact: true }).fill('small = Litet\nlarge = Stort');
    await panel.getByRole('checkbox', { name: 'Obligatorisk' }).check();
    await panel.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await panel.getByRole('row', { name: /tree_size/ }).waitFor();
    await expectAccessible(admin, 'admin-02-category-with-question');

    // Editing shows the record in the same form; a change is saved with PATCH.
    await row.getByRole('button', { name: /Ändra/ }).click();
    await admin.getByRole('heading', { level: 3, name: 'Ändra Fallna träd' }).waitFor();
    await admin.locator('#category-sortOrder').fill('1');
    await admin.getByRole('button', { name: 'Spara' }).click();
    await admin.getByText('Sparat.').waitFor({ state: 'attached' });
    await admin.getByRole('heading', { level: 3, name: 'Lägg till i Kategorier' }).waitFor();

    // An API key is shown once; revoking asks for a confirmation first.
    await admin.getByRole('link', { name: 'API-nycklar' }).click();
    await admin.locator('#api-key-name').fill('Felanmälningsappen');
    await admin.getByRole('button', { name: 'Lägg till', exact: true }).click();
    expect(await admin.getByTestId('new-api-key').textContent()).toMatch(/^s311_/);
    const key = admin.getByRole('row', { name: /Felanmälningsappen/ });
    await key.getByRole('button', { name: /Återkalla/ }).click();
    await admin.getByRole('button', { name: 'Återkalla Felanmälningsappen: bekräfta' }).click();
    await expect.poll(() => key.getByRole('button', { name: /Återkalla/ }).count(), patience).toBe(0);

    // A staff member with a role and a department; then deactivated.
    await admin.getByRole('link', { name: 'Personal' }).click();
    await admin.locator('#staff-email').fill('ny.handlaggare@vasteras.demo');
    await admin.locator('#staff-displayName').fill('Nora Ny');
    await admin
      .getByRole('group', { name: /^Roller/ })
      .getByLabel('handläggare i kontaktcenter')
      .check();
    await admin
      .getByRole('group', { name: /^Förvaltningar/ })
      .getByLabel('Kontaktcenter')
      .check();
    await admin.locator('#staff-password').fill('kort');
    await admin.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await admin.locator('#staff-password-error').waitFor();
    await admin.locator('#staff-password').fill('ett långt och bra lösenord');
    await admin.getByRole('button', { name: 'Lägg till', exact: true }).click();
    const nora = admin.getByRole('row', { name: /Nora Ny/ });
    await nora.getByRole('cell', { name: 'Kontaktcenter', exact: true }).waitFor();
    await nora.getByRole('button', { name: /Inaktivera/ }).click();
    await admin.getByRole('button', { name: 'Inaktivera Nora Ny: bekräfta' }).click();
    await expect.poll(() => nora.getByRole('button', { name: /Inaktivera/ }).count(), patience).toBe(0);
    await expectAccessible(admin, 'admin-04-staff');

    // The resident portal (its catalog not loaded before now) offers the category and asks the question.
    const resident = await open('/');
    await resident.getByLabel('Fallna träd').check();
    await resident.getByRole('group', { name: /Hur stort är trädet\?/ }).waitFor();
    await resident.getByLabel('Stort').check();
    await expectAccessible(resident, 'admin-03-portal-new-category');
    expect(errors.flat()).toEqual([]);
  });

  it('a facilitator runs a dialogue from plan to "you said, we did"; residents read it', async () => {
    const page = await open('/facilitator', 'facilitator@vasteras.demo');
    await page.getByRole('heading', { level: 1, name: 'Dialoger (samtalsledare)' }).waitFor();
    await page.locator('#dialogue-title').fill('Bänkar i Vasaparken');
    await page.locator('#dialogue-question').fill('Var behövs fler bänkar?');
    await page.locator('#dialogue-purpose').fill('Underlag för parkplanen 2027.');
    await page.locator('#dialogue-method').selectOption('workshop');
    // Without a language the API answers 400 naming `languages`; the page shows it at the checkboxes.
    await page.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await page.locator('#dialogue-languages-error').waitFor();
    await page.getByRole('group', { name: /Språk/ }).getByLabel('Svenska').check();
    await page.getByRole('button', { name: 'Lägg till', exact: true }).click();
    const row = page.getByRole('row', { name: /Bänkar i Vasaparken/ });
    await row.waitFor();
    await expectAccessible(page, 'facilitator-01-planned');

    await row.getByRole('button', { name: /Genomför/ }).click();
    const status = page.getByTestId('dialogue-status');
    await expect.poll(() => status.textContent(), patience).toBe('Planerad');
    await page.getByRole('button', { name: 'Öppna dialogen' }).click();
    await expect.poll(() => status.textContent(), patience).toBe('Öppen');

    // A reload keeps the session; the CSRF token comes back from /v1/auth/me, so changes still work.
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    const again = page.getByRole('row', { name: /Bänkar i Vasaparken/ });
    await again.getByRole('button', { name: /Ändra/ }).click();
    await page.locator('#dialogue-partners').fill('Parkförvaltningen');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.getByText('Sparat.').waitFor({ state: 'attached' });
    await page
      .getByRole('row', { name: /Bänkar i Vasaparken/ })
      .getByRole('button', { name: /Genomför/ })
      .click();
    await expect.poll(() => status.textContent(), patience).toBe('Öppen');

    // The sign-in sheet: a negative count is refused next to the count.
    await page.locator('#row-0-count').fill('-3');
    await page.getByRole('button', { name: 'Spara räkningen' }).click();
    await page.locator('#row-0-count-error').waitFor();
    await page.locator('#row-0-count').fill('14');
    await page.getByRole('button', { name: 'Spara räkningen' }).click();
    await expect.poll(() => page.getByTestId('reach-total').textContent(), patience).toBe('14');

    // What was said, and the outcome that answers it.
    await page.locator('[id^="contribution-"][id$="-kind"]').selectOption('idea');
    await page.locator('[id^="contribution-"][id$="-body"]').fill('Fler bänkar vid lekplatsen');
    await page
      .getByRole('region', { name: 'Vad som sades' })
      .getByRole('button', { name: 'Lägg till', exact: true })
      .click();
    await page.getByRole('row', { name: /Fler bänkar vid lekplatsen/ }).waitFor();
    await page
      .getByRole('group', { name: 'Vad som beslutades eller gjordes' })
      .getByLabel('Svenska')
      .fill('Fem nya bänkar vid lekplatsen');
    await page.getByLabel('Beaktat', { exact: true }).selectOption('taken');
    await page.getByRole('button', { name: 'Lägg till resultatet' }).click();
    await page.getByRole('heading', { name: 'Beslut: Fem nya bänkar vid lekplatsen' }).waitFor();

    await page.getByRole('button', { name: 'Stäng dialogen' }).click();
    await expect.poll(() => status.textContent(), patience).toBe('Stängd');
    await page.getByRole('button', { name: 'Publicera ”ni sa, vi gjorde”' }).click();
    await expect.poll(() => status.textContent(), patience).toBe('Återrapporterad');
    await page.getByRole('heading', { name: 'Räckvidd, hörda och inflytande' }).waitFor();
    await expectAccessible(page, 'facilitator-02-reported');

    const resident = await open('/dialogues');
    await resident.getByRole('link', { name: 'Bänkar i Vasaparken' }).click();
    await resident.getByRole('heading', { name: 'Ni sa, vi gjorde' }).waitFor();
    await resident.getByText('Fem nya bänkar vid lekplatsen').waitFor();
    await resident.getByRole('cell', { name: 'Fler bänkar vid lekplatsen' }).waitFor();
    await expectAccessible(resident, 'facilitator-03-resident-you-said-we-did');
    expect(errors.flat()).toEqual([]);
  });

  it('a resident signs up for an open dialogue and says what they think; the facilitator sees it', async () => {
    const resident = await open('/dialogues');
    await resident.getByRole('link', { name: 'Unga om Skiljebo park' }).click();
    await resident.getByRole('heading', { name: 'Anmäl dig' }).waitFor();
    await resident.locator('#register-email').fill('inte en adress');
    await resident.getByRole('button', { name: 'Anmäl mig' }).click();
    await resident.locator('#register-email-error').waitFor();
    await resident.locator('#register-email').fill('');
    await resident.getByRole('button', { name: 'Anmäl mig' }).click();
    await resident.getByText('Du är anmäld.', { exact: false }).waitFor();
    await resident.locator('#contribution-body').fill('Mer belysning vid skateparken');
    await resident.getByRole('button', { name: 'Skicka', exact: true }).click();
    await resident.getByText('Tack, vi har tagit emot det.').waitFor();
    await expectAccessible(resident, 'resident-dialogue-contribution');

    const page = await open('/facilitator', 'facilitator@vasteras.demo');
    await page
      .getByRole('row', { name: /Unga om Skiljebo park/ })
      .getByRole('button', { name: /Genomför/ })
      .click();
    await page.getByRole('row', { name: /Mer belysning vid skateparken/ }).waitFor();
    expect(errors.flat()).toEqual([]);
  });
});
