export { parseRecoveryTime, parsePitrTarget, formatPgTime } from './recovery-time.js';
export { assertInWindow, describeWindow, TargetOutsideWindow, type RecoveryWindow } from './window.js';
export { pitrSetupPlan, pitrSetup, renderSetupPlan, DEFAULT_PGBACKREST_CONFIG } from './pgbackrest-setup.js';
export type { PitrSetupOptions, PitrSetupPlan, PitrSetupResult, SetupCheck } from './pgbackrest-setup.js';
export {
  pgbackrestInfo,
  backupFor,
  StanzaUnavailable,
  type PgbackrestInfo,
  type PgbackrestBackup,
} from './pgbackrest-info.js';
export { pgbackrestBackup } from './pgbackrest-backup.js';
export { planPitrRestore, describeRestorePlan, pitrRestore, RecoveryFailed } from './pgbackrest.js';
export type { PitrRestoreOptions, PitrRestorePlan, PitrRestoreResult } from './pgbackrest.js';
export { DataDirNotEmpty, PortInUse } from './data-dir.js';
export type { PgbackrestTarget } from '../../backup/physical/pgbackrest-command.js';
export {
  listPlatformBackups,
  platformBackups,
  supabaseWindow,
  planSupabasePitr,
  supabasePitrRestore,
  SupabaseRestoreFailed,
} from './supabase.js';
export type { PlatformBackups, PlatformBackupRow, SupabasePitrOptions, SupabasePitrResult } from './supabase.js';
