import { join } from 'node:path';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import type { PitrSetupOptions } from '../../src/restore/pitr/index.js';

/** The postgresql.conf lines that archive a test cluster's WAL into `stanza` (pass to useCluster). */
export function archiveSettings(stanza: string, configPath: string): Record<string, string> {
  return {
    archive_mode: 'on',
    archive_command: `'pgbackrest --config=${configPath} --stanza=${stanza} archive-push %p'`,
    wal_level: 'replica',
  };
}

/** pgdr pitr setup's options for a test cluster whose pgBackRest files all live under `base`. */
export function stanzaSetup(cluster: LocalCluster, stanza: string, base: string): PitrSetupOptions {
  return {
    stanza,
    dataDir: cluster.dataDir,
    repoPath: join(base, 'repo'),
    port: cluster.port,
    socketDir: cluster.baseDir,
    configPath: join(base, 'pgbackrest.conf'),
    logPath: join(base, 'log'),
    lockPath: join(base, 'lock'),
  };
}
