export { runPgbackrest, globalArgs, STANZA_NAME, type PgbackrestTarget } from './pgbackrest-command.js';
export {
  readStanza,
  parseStanzaInfo,
  restorableSets,
  StanzaUnavailable,
  type PhysicalSet,
  type StanzaInfo,
} from './stanza-info.js';
export {
  takePhysicalBackup,
  PhysicalBackupFailed,
  PHYSICAL_KINDS,
  type PhysicalType,
  type PhysicalBackupOptions,
  type PhysicalBackupResult,
} from './take-physical-backup.js';
