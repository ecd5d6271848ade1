import { useTestContext } from '@samtal/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, screenshot, seriousViolations } from './browser.ts';
import { DEMO_PASSWORD, startStack } from './stack.ts';

/** A resident opens a chat; an available agent is offered it live, answers, and they talk. */
describe('chat in Chromium', () => {
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

  it('resident and agent chat both ways', async () => {
    const agent = await (await newContext(browser)).newPage();
    await agent.goto(`${stack.baseUrl}/desk`);
    await agent.getByLabel('E-post').fill('agent@vasteras.demo');
    await agent.getByLabel('Lösenord').fill(DEMO_PASSWORD);
    await agent.getByRole('button', { name: 'Logga in' }).click();
    await expect
      .poll(() => agent.getByTestId('live-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    await agent.getByLabel('Min status').selectOption('available');

    const resident = await (await newContext(browser)).newPage();
    await resident.goto(`${stack.baseUrl}/chat`);
    await resident.getByRole('button', { name: 'Starta en chatt' }).click();
    await resident.getByText('Väntar på en handläggare…').waitFor();
    expect(await seriousViolations(resident)).toEqual([]);

    await agent.getByRole('button', { name: 'Svara', exact: true }).click({ timeout: 15_000 });
    await resident.getByText(/har anslutit/).waitFor();
    await resident.getByLabel('Meddelande').fill('Hej! När töms soporna på Vasagatan?');
    await resident.getByRole('button', { name: 'Skicka', exact: true }).click();
    await agent.getByText('När töms soporna på Vasagatan?').waitFor();
    await agent.getByLabel('Meddelande').fill('På torsdagar, varannan vecka.');
    await agent.getByRole('button', { name: 'Skicka', exact: true }).click();
    await resident.getByText('På torsdagar, varannan vecka.').waitFor();
    await screenshot(resident, '11-resident-chat');
    await screenshot(agent, '12-agent-chat');
    expect(await seriousViolations(resident)).toEqual([]);
    expect(await seriousViolations(agent)).toEqual([]);
    await agent.getByRole('button', { name: 'Avsluta chatten' }).click();
    await resident.getByText('Chatten är avslutad.').waitFor();
  });
});
