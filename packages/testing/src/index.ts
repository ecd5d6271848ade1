export * from './context.ts';
export { adminUrl, ensureTemplate, templateDatabaseName, testConfig } from './template.ts';
