/**
 * Runs the intake API against a migrated, seeded database for load tests:
 *   tsx bench/serve.ts <database url> <port>
 * (the database is created, migrated and seeded when it does not exist).
 */
import { createDb, ensureDatabase, isDatabaseEmpty, migrateDatabase, seedDemoMunicipality } from '@samtal/db';
import { createRedis } from '@samtal/queue';
import { buildApp } from '../src/app.ts';
import { IntakeRelay } from '../src/relay.ts';

const [url = 'postgres://postgres@127.0.0.1:5432/samtal_bench', port = '3200'] = process.argv.slice(2);
await ensureDatabase(url);
await migrateDatabase(url);
const db = createDb(url, { max: 10, applicationName: 'samtal-intake-bench' });
if (await isDatabaseEmpty(db.db)) await seedDemoMunicipality(db.db);
const redis = createRedis('redis://127.0.0.1:6379', 'producer');
const queues = { connection: redis, prefix: 'samtal-bench' };
const relay = new IntakeRelay({ db: db.db, queues, sweepMs: 2000 });
relay.start();
const app = await buildApp({
  config: { TRUST_PROXY: false, RATE_LIMIT_PER_MINUTE: 100_000_000 },
  db,
  queues,
  relay,
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write('READY\n');
process.once('SIGINT', () => process.exit(0));
