export { SUBJECT_ACCESS_FORMAT, type SubjectAccessDocument, subjectAccessExport } from './access.ts';
export { type AnonymiseResult, addCounts, anonymise } from './anonymise.ts';
export { type ErasureResult, eraseResident, withdrawConsent } from './erasure.ts';
export { DiskFiles, type FileStore } from './files.ts';
export { columnName, residentColumnsOf, type TableKey } from './map.ts';
export * from './retention.ts';
export {
  contextLinks,
  fileKeyColumns,
  findResident,
  normalisePhone,
  type ResidentQuery,
  type Subjects,
  subjectLinks,
} from './subjects.ts';
