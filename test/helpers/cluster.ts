import { afterAll } from 'vitest';
import { startLocalCluster, type ClusterOptions, type LocalCluster } from '../../src/sandbox/local-cluster.js';
import { runProcess } from '../../src/core/system.js';
import { libpqEnv } from '../../src/pg/connection.js';
import { join } from 'node:path';

/** One throwaway cluster per test file, destroyed after the file's tests. */
export async function useCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const cluster = await startLocalCluster(options);
  afterAll(async () => {
    await cluster.destroy();
  });
  return cluster;
}

/** Runs SQL through psql (stops on the first error) and returns its unaligned output. */
export async function psql(cluster: LocalCluster, database: string, sql: string): Promise<string> {
  return await runProcess(join(cluster.binDir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-f', '-'], {
    env: libpqEnv(cluster.target(database)),
    input: sql,
  });
}

export async function createDatabase(cluster: LocalCluster, name: string): Promise<void> {
  await psql(cluster, 'postgres', `create database "${name}"`);
}
