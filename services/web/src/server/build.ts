import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';

export const webRoot = join(import.meta.dirname, '../..');
export const defaultDistDir = join(webRoot, 'dist');
const stampFile = (distDir: string) => join(distDir, '.built');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/ is missing or older than any front-end source. */
export function buildIsStale(distDir = defaultDistDir): boolean {
  const stamp = stampFile(distDir);
  if (!existsSync(stamp) || !existsSync(join(distDir, 'index.html'))) return true;
  const sources = ['index.html', 'vite.config.ts', 'public', 'src/client']
    .map((p) => join(webRoot, p))
    .filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

/**
 * Builds the front end with Vite when it is missing or stale, so a fresh clone's `pnpm start`
 * just works. Prebuilt deployments set WEB_BUILD_ON_START=false.
 */
export async function ensureBuilt(log: FastifyBaseLogger, distDir = defaultDistDir): Promise<void> {
  if (!buildIsStale(distDir)) return;
  log.info('building the front end (vite)');
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: distDir } });
  writeFileSync(stampFile(distDir), new Date().toISOString());
  log.info({ ms: Date.now() - started }, 'front end built');
}
