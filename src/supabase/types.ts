/** GET /v1/projects/{ref}/database/backups (V1BackupsResponse). */
export interface BackupsResponse {
  region: string;
  pitr_enabled: boolean;
  walg_enabled: boolean;
  backups: { is_physical_backup: boolean; status: string; inserted_at: string }[];
  physical_backup_data: {
    earliest_physical_backup_date_unix?: number;
    latest_physical_backup_date_unix?: number;
  } | null;
}

/** The project statuses pgdr acts on; the API has more (COMING_UP, PAUSING, UPGRADING, …). */
export type ProjectStatus = 'ACTIVE_HEALTHY' | 'RESTORING' | 'RESTORE_FAILED' | (string & {});

/** GET /v1/projects/{ref}. */
export interface ProjectResponse {
  id?: string;
  ref?: string;
  name?: string;
  region?: string;
  status: ProjectStatus;
}

/** GET /v1/projects/{ref}/health?services=db. */
export type HealthResponse = { name: string; healthy: boolean; status: string; error?: string }[];
