export { loadConfig, ConfigInvalid, type LoadedConfig, type LoadOptions, type Origin } from './load.js';
export { resolveProfile, repositorySpec, type ResolvedProfile, type RepositorySpec } from './profile.js';
export {
  configSchema,
  DEFAULT_SCHEDULES,
  NOTIFY_EVENTS,
  ROLES,
  type PgdrConfig,
  type TargetProfile,
  type NotifyEventType,
  type TargetRole,
} from './schema.js';
export { pgdrHome, CONFIG_FILE } from './paths.js';
export { readUserState, rememberProfile, userStore } from './user-store.js';
