export * from './connection.ts';
export * from './queues.ts';
export * from './registry.ts';
