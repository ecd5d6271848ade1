import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, serviceNodeFlags } from '@samtal/config';
import { sleep } from './stats.ts';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

let servicesRoot = repoRoot;
const rootOf = new Map<string, string>();
let profileDir: string | undefined;
/** Every service started from now on writes a CPU profile into `dir` when it exits. */
export function profileServicesInto(dir: string | undefined): void {
  profileDir = dir;
}
/** Services start from this checkout unless told otherwise (BENCH_SERVICES_ROOT). */
export function useServicesRoot(root: string | undefined): void {
  // "path" for every service, or "intake=path,desk=path" per service.
  for (const part of (root ?? '').split(',').filter(Boolean)) {
    const [name, path] = part.includes('=') ? part.split('=') : [undefined, part];
    if (name) rootOf.set(name, path!);
    else servicesRoot = path!;
  }
}

const rootFor = (name: string) => rootOf.get(name) ?? servicesRoot;

export function serviceExists(name: string): boolean {
  return existsSync(join(rootFor(name), 'services', name, 'src', 'main.ts'));
}

export interface Running {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Waits until GET `url` answers 2xx (the service is listening and its dependencies are up). */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${url}: not ready after ${timeoutMs} ms`);
}

/** Starts a script of this repository in its own Node process (TypeScript through tsx). */
export async function startScript(
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  nodeArgs: string[] = [],
  args: string[] = [],
  cwd = repoRoot,
): Promise<Running> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd,
    env: childEnv({ LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHttp(readyUrl, child);
  return {
    child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const exited = once(child, 'exit');
      const timeout = sleep(15_000).then(() => 'timeout');
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    },
  };
}

/** Starts services/<name> through its own entry (src/main.ts). */
export function startService(
  name: string,
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
) {
  const script = join('services', name, 'src', 'main.ts');
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`] : [];
  return startScript(
    script,
    env,
    `http://127.0.0.1:${port}/health`,
    [...prof, ...(serviceNodeFlags[name] ?? []), ...nodeArgs],
    [],
    rootFor(name),
  );
}
