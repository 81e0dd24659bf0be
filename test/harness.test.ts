import { describe, expect, it } from 'vitest';
import { useCluster, psql } from './helpers/cluster.js';
import { loadPagila } from './helpers/pagila.js';
import { tableFingerprints, schemaFingerprint } from './helpers/compare.js';

describe('test harness', () => {
  it('starts a throwaway cluster, loads Pagila and fingerprints it', async () => {
    const cluster = await useCluster();
    await loadPagila(cluster);
    const tables = await tableFingerprints(cluster.target('pagila'));
    expect(tables['public.film']?.rows).toBe(1000);
    expect(tables['public.rental']?.rows).toBe(16044);
    const schema = await schemaFingerprint(cluster.target('pagila'));
    expect(schema.some((l) => l.startsWith('view public.film_list'))).toBe(true);
    expect((await psql(cluster, 'pagila', 'select 1')).trim()).toBe('1');
  });
});
