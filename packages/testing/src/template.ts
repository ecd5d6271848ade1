import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, testEnv } from '@samtal/config';
import { migrateDatabase, migrationsFolder } from '@samtal/db';
import postgres from 'postgres';

export const testConfig = parseConfig(testEnv);

/**
 * The template's name carries a hash of the migrations, so a changed schema gets a fresh template
 * and two checkouts with different migrations on one machine never share one.
 */
export function templateDatabaseName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return `samtal_template_${hash.digest('hex').slice(0, 12)}`;
}

export function adminUrl(database = 'postgres'): string {
  const url = new URL(testConfig.TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export function admin(): postgres.Sql {
  return postgres(adminUrl(), { max: 1, onnotice: () => {} });
}

/** Creates and migrates the template once; concurrent runs wait on an advisory lock. */
export async function ensureTemplate(): Promise<string> {
  const name = templateDatabaseName();
  const sql = admin();
  try {
    await sql`select pg_advisory_lock(hashtext('samtal-test-template'))`;
    const [found] = await sql`select datistemplate from pg_database where datname = ${name}`;
    if (!found) {
      const building = `${name}_building`;
      await sql.unsafe(`drop database if exists "${building}"`);
      await sql.unsafe(`create database "${building}"`);
      await migrateDatabase(adminUrl(building));
      // Renamed only when complete, so a crashed run never leaves a half-migrated template.
      await sql.unsafe(`alter database "${building}" rename to "${name}"`);
      await sql.unsafe(`alter database "${name}" with is_template true allow_connections false`);
    }
    return name;
  } finally {
    await sql`select pg_advisory_unlock(hashtext('samtal-test-template'))`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
