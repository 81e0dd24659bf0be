import { afterAll } from 'vitest';
import { startLocalCluster, type ClusterOptions, type LocalCluster } from '../../src/sandbox/local-cluster.js';
import { runProcess } from '../../src/core/system.js';
import { libpqEnv } from '../../src/pg/connection.js';
import { join } from 'node:path';

// Registered when a test file imports this module: an afterAll registered later, inside a beforeAll (where most
// files start their cluster), is never run by vitest, and the cluster would outlive the tests.
const started: LocalCluster[] = [];
afterAll(async () => {
  for (const cluster of started.splice(0)) await cluster.destroy();
});

/** One throwaway cluster per test file, destroyed after the file's tests (call it in beforeAll or a test). */
export async function useCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const cluster = await startLocalCluster(options);
  started.push(cluster);
  return cluster;
}

/** Runs SQL through psql (stops on the first error) and returns its unaligned output. */
export async function psql(cluster: LocalCluster, database: string, sql: string): Promise<string> {
  return await runProcess(join(cluster.binDir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-f', '-'], {
    env: libpqEnv(cluster.target(database)),
    input: sql,
  });
}

/** The names of the cluster's databases (templates left out), sorted. */
export async function databaseNames(cluster: LocalCluster): Promise<string[]> {
  return (await psql(cluster, 'postgres', 'select datname from pg_database where not datistemplate order by 1'))
    .trim()
    .split('\n');
}

export async function createDatabase(cluster: LocalCluster, name: string): Promise<void> {
  await psql(cluster, 'postgres', `create database "${name}"`);
}

/** A throwaway cluster holding one database made by `sql`: the start of most test files. */
export async function useClusterWith(database: string, sql: string): Promise<LocalCluster> {
  const cluster = await useCluster();
  await createDatabase(cluster, database);
  await psql(cluster, database, sql);
  return cluster;
}

/** Whether a COPY is loading rows into `database` right now (pg_restore's data phase): the moment to break in. */
export async function copyRunningInto(cluster: LocalCluster, database: string): Promise<boolean> {
  const n = await psql(
    cluster,
    'postgres',
    `select count(*) from pg_stat_activity where datname = '${database}' and query ilike 'copy%' and state = 'active'`,
  );
  return n.trim() !== '0';
}
