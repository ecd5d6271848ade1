export * from './case-lifecycle.ts';
export * from './vocabulary.ts';
