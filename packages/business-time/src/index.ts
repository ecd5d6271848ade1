export * from './calendar.ts';
export * from './load.ts';
export * from './sla.ts';
