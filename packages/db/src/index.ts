export * from './client.ts';
export {
  DEMO_OPEN311_KEY,
  DEMO_PASSWORD,
  type DemoTenant,
  isDatabaseEmpty,
  seedDemoMunicipality,
} from './demo.ts';
export { ensureDatabase, migrateDatabase, migrationsFolder } from './migrate.ts';
export {
  type PersonalColumn,
  type PersonalDataMap,
  personalData,
  REDACTED,
  residentColumns,
} from './personal-data.ts';
export * as schema from './schema.ts';
export { knowledgeDocument, textSearchConfig, textSearchConfigs } from './schema.ts';
