export * from './errors.ts';
export * from './health.ts';
export * from './problems.ts';
export * from './run.ts';
export * from './server.ts';
