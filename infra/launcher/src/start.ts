/**
 * `pnpm start`: checks PostgreSQL and Redis, creates and migrates the database, seeds a demo
 * municipality when the database is empty, then runs every service in this one process — the
 * small-municipality deployment. Large ones run each service's own entry (services/x/src/main.ts).
 */
import { launcherEnv, loadConfig } from '@samtal/config';
import {
  createDb,
  DEMO_OPEN311_KEY,
  DEMO_PASSWORD,
  ensureDatabase,
  isDatabaseEmpty,
  migrateDatabase,
  schema,
  seedDemoMunicipality,
} from '@samtal/db';
import { deskService } from '@samtal/desk/service';
import { createLogger, type Runnable, runUntilSignal } from '@samtal/http';
import { insightsService } from '@samtal/insights/service';
import { intakeService } from '@samtal/intake/service';
import { routerService } from '@samtal/router/service';
import { eq } from 'drizzle-orm';
import { preflight } from './preflight.ts';

const config = loadConfig(launcherEnv);
const log = createLogger(config.LOG_LEVEL, 'samtal');

const problems = await preflight(config.DATABASE_URL, config.REDIS_URL);
if (problems.length) {
  process.stderr.write(`\nSamtal cannot start:\n\n${problems.join('\n\n')}\n\n`);
  process.exit(69); // EX_UNAVAILABLE
}

if (await ensureDatabase(config.DATABASE_URL)) log.info('created the database');
await migrateDatabase(config.DATABASE_URL);
log.info('database migrated');

const setup = createDb(config.DATABASE_URL, { max: 1, applicationName: 'samtal-launcher' });
if (config.SEED_DEMO && (await isDatabaseEmpty(setup.db))) {
  await seedDemoMunicipality(setup.db);
  log.info('seeded the demo municipality');
}
const [demo] = await setup.db
  .select({ id: schema.tenants.id })
  .from(schema.tenants)
  .where(eq(schema.tenants.slug, 'vasteras'));
const demoStaff = demo
  ? await setup.db
      .select({ email: schema.staffUsers.email, roles: schema.staffUsers.roles })
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.tenantId, demo.id))
  : [];
await setup.close();

const services: [string, Runnable][] = [
  ['intake', intakeService(config, log.child({ service: 'intake' }))],
  ['desk', deskService(config, log.child({ service: 'desk' }))],
  ['insights', insightsService(config, log.child({ service: 'insights' }))],
  ['router', routerService(config, log.child({ service: 'router' }))],
];

const started: string[] = [];
const all: Runnable = {
  async start() {
    for (const [name, service] of services) {
      const where = await service.start();
      started.push(`  ${name.padEnd(10)} ${where ?? '(worker)'}`);
    }
    return undefined;
  },
  async stop() {
    // Reverse order: the front door closes first, workers last.
    for (const [, service] of [...services].reverse()) await service.stop();
  },
};
await runUntilSignal('samtal', all, log, config.SHUTDOWN_TIMEOUT_S);

const lines = ['', 'Samtal is running:', ...started];
if (demoStaff.length) {
  lines.push(
    '',
    'Demo municipality "vasteras" (for trying it out on this machine only):',
    ...demoStaff.map((u) => `  ${u.email.padEnd(28)} ${u.roles.join(', ')}`),
    `  password for every demo account: ${DEMO_PASSWORD}`,
    `  Open311 api_key: ${DEMO_OPEN311_KEY}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n\n`);
