export * from './actions.ts';
export * from './events.ts';
export * from './outbox.ts';
export * from './unit.ts';
