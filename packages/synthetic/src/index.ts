export { BusinessClock } from './clock.ts';
export {
  LOADED_TABLES,
  type SyntheticOptions,
  type SyntheticResult,
  seedSyntheticMunicipality,
} from './generate.ts';
export { dropIndexes, restoreIndexes, type SavedIndexes } from './indexes.ts';
export * as model from './model.ts';
export { Random, Weighted } from './prng.ts';
