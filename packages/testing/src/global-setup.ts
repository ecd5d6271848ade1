import { ensureTemplate } from './template.ts';

/** vitest global setup: migrate the template database once per run. */
export default async function setup(): Promise<void> {
  await ensureTemplate();
}
