import { launcherEnv, loadConfig } from '@samtal/config';
import { ensureDatabase, migrateDatabase } from './migrate.ts';

const config = loadConfig(launcherEnv.pick({ DATABASE_URL: true }));
if (await ensureDatabase(config.DATABASE_URL)) console.log('created database');
await migrateDatabase(config.DATABASE_URL);
console.log('migrations applied');
