export { restoreBackup } from './restore-backup.js';
export { planRestore, defaultNewDbName, type PreparedRestore } from './plan.js';
export { parseRowsSpec, type OnConflict, type RowsOutcome } from './rows.js';
export { compareRowCounts, type TableCheck } from '../backup/table-counts.js';
export { parseTocList, selectTables, type TocEntry } from './toc.js';
export { databaseExists, dropDatabase } from './target-db.js';
export type { RestoreOptions, RestoreResult, RestorePlan, PlanStep } from './types.js';
