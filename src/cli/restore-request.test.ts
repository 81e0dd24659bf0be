import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { parseTarget } from '../pg/connection.js';
import { newClusterRequest, restoreRequest, type RestoreShapeFlags } from './restore-request.js';
import { pitrRequest } from './pitr-restore.js';

const target = parseTarget('postgres://app@db.example:5432/shop', '--db');
const inputs = { ref: 'latest', target, keys: {}, safetyEncryption: () => ({ passphrase: 'p' }) };
const request = (flags: RestoreShapeFlags) => restoreRequest(flags, inputs);

describe('pgdr restore: one request from the flags', () => {
  it('decides where the restore goes and what it brings, once', () => {
    expect(request({})).toMatchObject({ into: 'new-db', database: undefined, content: { what: 'full' } });
    expect(request({ newDb: 'x', table: ['public.a'] })).toMatchObject({
      into: 'new-db',
      database: 'x',
      content: { what: 'tables', tables: ['public.a'] },
    });
    expect(request({ clean: true, confirm: 'shop', schemaOnly: true })).toEqual(
      expect.objectContaining({
        into: 'in-place',
        content: { what: 'schema' },
        confirm: 'shop',
        safetySnapshot: true,
        safetyEncryption: { passphrase: 'p' },
      }),
    );
    expect(request({ clean: true, safetySnapshot: false })).toMatchObject({
      into: 'in-place',
      safetySnapshot: false,
      safetyEncryption: undefined,
    });
    expect(request({ rows: 'public.orders:id > 3', onConflict: 'overwrite' })).toMatchObject({
      into: 'in-place',
      content: { what: 'rows', table: 'public.orders', where: 'id > 3', onConflict: 'overwrite' },
      safetySnapshot: false,
    });
    expect(request({ intoSupabase: true })).toMatchObject({ into: 'supabase', database: undefined });
    expect(request({ intoSupabase: true, newDb: 'fresh', jobs: '3' })).toMatchObject({
      into: 'supabase',
      database: 'fresh',
      jobs: 3,
    });
  });

  it('refuses flags that contradict each other, as bad input (exit 2)', () => {
    for (const flags of [
      { rows: 'public.a:true', table: ['public.a'] },
      { schemaOnly: true, intoSupabase: true },
      { rows: 'public.a:true', clean: true },
      { rows: 'public.a:true', newDb: 'x' },
      { clean: true, newDb: 'x' },
      { intoSupabase: true, clean: true },
      { rows: 'public.a:true', onConflict: 'replace' },
      { rows: 'no-colon' },
    ] satisfies RestoreShapeFlags[]) {
      expect(() => request(flags), JSON.stringify(flags)).toThrow(UsageError);
    }
  });

  it('builds the point-in-time request both PITR commands share', () => {
    const base = { flag: '--pitr', timeoutMinutes: 120 };
    expect(
      pitrRequest({ ...base, to: 'latest', pgbackrestStanza: 'main', dataDir: '/srv/pitr', port: 5433 }),
    ).toMatchObject({ into: 'pitr', provider: 'pgbackrest', to: 'latest', stanza: 'main', timeoutSeconds: 7200 });
    expect(pitrRequest({ ...base, to: '2025-01-10 14:00:00+00', supabaseProject: 'abcdefghijklmnopqrst' })).toEqual(
      expect.objectContaining({
        into: 'pitr',
        provider: 'supabase',
        to: new Date('2025-01-10T14:00:00Z'),
        project: 'abcdefghijklmnopqrst',
      }),
    );
    expect(() => pitrRequest({ ...base, to: 'latest', supabaseProject: 'abcdefghijklmnopqrst' })).toThrow(UsageError);
    expect(() => pitrRequest({ ...base, to: 'latest', pgbackrestStanza: 'main' })).toThrow(
      '--pgbackrest-stanza needs --data-dir (a new, empty directory) and --port.',
    );
  });
});

describe('pgdr restore --new-cluster: one request from the flags', () => {
  const cluster = (flags: RestoreShapeFlags) => newClusterRequest(flags, { ref: 'latest', keys: {} });
  it('restores the whole backup on port 5432 unless told otherwise', () => {
    expect(cluster({ newCluster: '/srv/pg', pgVersion: '16', port: '5433' })).toMatchObject({
      into: 'new-cluster',
      dataDir: '/srv/pg',
      port: 5433,
      pgVersion: 16,
    });
    expect(cluster({ newCluster: '/srv/pg' }).port).toBe(5432);
  });
  it('refuses what only makes sense in an existing server, and numbers that are not', () => {
    expect(() => cluster({ newCluster: '/srv/pg', clean: true })).toThrow(/cannot be combined with --clean/);
    expect(() => cluster({ newCluster: '/srv/pg', table: ['public.a'] })).toThrow(/--table/);
    expect(() => cluster({ newCluster: '/srv/pg', pgVersion: 'x' })).toThrow(UsageError);
    expect(() => cluster({ newCluster: '/srv/pg', port: '70000' })).toThrow(/--port/);
  });
});
