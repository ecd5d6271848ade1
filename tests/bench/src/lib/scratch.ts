import { randomBytes } from 'node:crypto';
import { createDb, type DbHandle, migrateDatabase } from '@samtal/db';
import postgres from 'postgres';

/** A migrated database of the benchmark's own (samtal_bench_*), dropped by `drop()`. */
export interface Scratch {
  name: string;
  url: string;
  db: DbHandle;
  drop(): Promise<void>;
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createScratch(adminUrl: string, label: string, keep = false): Promise<Scratch> {
  const name = `samtal_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = databaseUrl(adminUrl, name);
  await migrateDatabase(url);
  const db = createDb(url, { max: 4, applicationName: 'samtal-bench' });
  return {
    name,
    url,
    db,
    async drop() {
      await db.close().catch(() => {});
      if (keep) return;
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}
