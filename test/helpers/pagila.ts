import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { createDatabase, psql } from './cluster.js';

/** Pagila (MIT, see LICENSE.txt and README.md there), vendored so a fresh clone's tests need nothing beside it. */
export const PAGILA_DIR = fileURLToPath(new URL('../fixtures/pagila/', import.meta.url));

/** Creates `database` and loads Pagila (schema + data) into it. */
export async function loadPagila(cluster: LocalCluster, database = 'pagila'): Promise<void> {
  await createDatabase(cluster, database);
  await psql(cluster, database, readFileSync(join(PAGILA_DIR, 'pagila-schema.sql'), 'utf8'));
  await psql(cluster, database, readFileSync(join(PAGILA_DIR, 'pagila-data.sql'), 'utf8'));
}
