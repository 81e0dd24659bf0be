/**
 * The settings of a cluster `pgdr restore --new-cluster` creates: during the load (command-line options of the
 * postmaster pgdr starts, never written to disk, so any later start gets the production ones) and after it (written to
 * postgresql.conf, or the operator's template).
 */
export interface ClusterSetting {
  name: string;
  /** The value during the load. */
  load: string;
  /** The value written for after the load; undefined: the template's (or PostgreSQL's default). */
  after?: string;
  why: string;
}

export interface SettingsInput {
  port: number;
  /** The private directory of the load: its Unix socket and its pg_hba.conf. */
  loadDir: string;
  /** Where the restored cluster's Unix socket goes afterwards. */
  socketDir: string;
  /** The operator's postgresql.conf replaces pgdr's defaults for after the load (port and socket stay pgdr's). */
  template: boolean;
}

export function clusterSettings(x: SettingsInput): ClusterSetting[] {
  const after = (value: string) => (x.template ? undefined : value);
  return [
    {
      name: 'fsync',
      load: 'off',
      after: after('on'),
      why: 'nothing is flushed during the load: a crash means start again',
    },
    { name: 'full_page_writes', load: 'off', after: after('on'), why: 'no full pages in WAL during the load' },
    { name: 'synchronous_commit', load: 'off', after: after('on'), why: 'no wait for WAL at each commit' },
    {
      name: 'wal_level',
      load: 'minimal',
      after: after('replica'),
      why: 'tables created and loaded in one transaction write no WAL',
    },
    { name: 'max_wal_senders', load: '0', after: after('10'), why: 'wal_level minimal needs it' },
    { name: 'archive_mode', load: 'off', after: after('off'), why: 'no WAL archiving during the load' },
    { name: 'autovacuum', load: 'off', after: after('on'), why: 'pgdr runs ANALYZE itself after the load' },
    { name: 'maintenance_work_mem', load: '1GB', after: after('64MB'), why: 'index and foreign-key builds in memory' },
    { name: 'max_wal_size', load: '8GB', after: after('1GB'), why: 'no checkpoints forced during the load' },
    { name: 'checkpoint_timeout', load: '1h', after: after('5min'), why: 'no timed checkpoints during the load' },
    { name: 'shared_buffers', load: '256MB', after: after('128MB'), why: 'room for the loaded pages' },
    {
      name: 'listen_addresses',
      load: "''",
      after: after("'localhost'"),
      why: 'no TCP at all during the load; loopback only afterwards unless the template opens it',
    },
    { name: 'port', load: String(x.port), after: String(x.port), why: '--port' },
    {
      name: 'unix_socket_directories',
      load: `'${x.loadDir}'`,
      after: `'${x.socketDir}'`,
      why: 'during the load a private directory (0700) only pgdr and the server user can enter',
    },
    {
      name: 'hba_file',
      load: `'${x.loadDir}/pg_hba.conf'`,
      after: undefined,
      why: "during the load: pgdr's own socket only; afterwards the data directory's pg_hba.conf (peer, scram-sha-256)",
    },
    {
      name: 'logging_collector',
      load: 'off',
      after: after('on'),
      why: 'server logs in the data directory (log/) afterwards',
    },
  ];
}

/** The postmaster's command-line options for the load: they win over every file and are gone at the next start. */
export function loadOptions(settings: ClusterSetting[], loadConf: string): string[] {
  return [
    '-c',
    `config_file=${loadConf}`,
    ...settings.flatMap((s) => ['-c', `${s.name}=${s.load.replace(/^'(.*)'$/, '$1')}`]),
  ];
}

/** The lines appended to postgresql.conf for after the load. */
export function productionLines(settings: ClusterSetting[]): string[] {
  return settings.filter((s) => s.after !== undefined).map((s) => `${s.name} = ${s.after}`);
}
