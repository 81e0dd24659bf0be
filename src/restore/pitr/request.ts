/** Point-in-time recovery through pgBackRest: a new cluster in a new data directory, started on `port`. */
export interface PgbackrestPitr {
  into: 'pitr';
  provider: 'pgbackrest';
  /** The time to recover to, or 'latest': the newest backup and every archived WAL segment. */
  to: Date | 'latest';
  stanza: string;
  configPath?: string;
  dataDir: string;
  port: number;
  /** How long WAL replay may take; default 30 min. */
  timeoutSeconds?: number;
  dryRun?: boolean;
}

/** Point-in-time recovery of a Supabase project by the platform (in place, through the Management API). */
export interface SupabasePitr {
  into: 'pitr';
  provider: 'supabase';
  to: Date;
  project: string;
  pollIntervalMs?: number;
  /** How long to wait for the platform; default 2 h. */
  timeoutMs?: number;
  dryRun?: boolean;
}

export type PitrRequest = PgbackrestPitr | SupabasePitr;
