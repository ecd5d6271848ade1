/**
 * `pnpm seed:synthetic --cases N [--seed S] [--tenant slug] [--days D] [--end YYYY-MM-DD]
 *                      [--fresh] [--keep-indexes | --drop-indexes]`
 *
 * Loads a synthetic municipality into DATABASE_URL. `--fresh` drops and recreates that database
 * first (only for names starting with samtal_bench_ or samtal_synthetic), then migrates it.
 */
import { parseArgs } from 'node:util';
import { loadConfig, syntheticEnv } from '@samtal/config';
import { ensureDatabase, migrateDatabase } from '@samtal/db';
import postgres from 'postgres';
import { seedSyntheticMunicipality } from './generate.ts';

const config = loadConfig(syntheticEnv);
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    tenant: { type: 'string', default: 'synthetic' },
    days: { type: 'string', default: '730' },
    end: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'keep-indexes': { type: 'boolean', default: false },
    'drop-indexes': { type: 'boolean', default: false },
  },
});

const cases = Number(values.cases);
const seed = Number(values.seed);
const days = Number(values.days);
if (!Number.isInteger(cases) || cases < 0) throw new Error('--cases: a whole number, 0 or more');
if (!Number.isInteger(seed)) throw new Error('--seed: a whole number');
if (!Number.isInteger(days) || days < 1) throw new Error('--days: a whole number, 1 or more');

const url = config.DATABASE_URL;
const name = decodeURIComponent(new URL(url).pathname.slice(1));
const log = (message: string) =>
  process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${message}\n`);

if (values.fresh) {
  if (!/^samtal_(bench|synthetic)/.test(name)) {
    throw new Error(`--fresh drops the database; refusing for "${name}" (use a samtal_bench_* name)`);
  }
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
await ensureDatabase(url);
await migrateDatabase(url);

const result = await seedSyntheticMunicipality(
  {
    databaseUrl: url,
    cases,
    seed,
    slug: values.tenant,
    days,
    ...(values.end ? { end: values.end } : {}),
    ...(values['keep-indexes']
      ? { dropIndexes: false }
      : values['drop-indexes']
        ? { dropIndexes: true }
        : {}),
    log,
  },
  (u) => postgres(u, { max: 1, onnotice: () => {}, connection: { application_name: 'samtal-synthetic' } }),
);
for (const [table, n] of Object.entries(result.rows)) process.stdout.write(`rows_${table} ${n} rows\n`);
for (const [phase, s] of Object.entries(result.seconds)) process.stdout.write(`seed_${phase}_s ${s} s\n`);
process.stdout.write(`tenant ${result.slug} ${result.tenantId}\n`);
