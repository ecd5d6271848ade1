export * from './permissions.ts';
export * from './plugin.ts';
export * from './sessions.ts';
