import { describe, expect, it } from 'vitest';
import { useCluster, createDatabase, psql } from './helpers/cluster.js';
import { tableFingerprints } from './helpers/compare.js';
import { seedSandbox, prepareFreshSupabase } from '../src/sandbox/seed.js';

describe('sandbox sample database', () => {
  it('is Supabase-shaped: auth, storage, RLS, roles, enums, jsonb, a partitioned table, triggers', async () => {
    const cluster = await useCluster();
    await createDatabase(cluster, 'app');
    const started = Date.now();
    await seedSandbox(cluster.target('app'));
    const seconds = (Date.now() - started) / 1000;
    const tables = await tableFingerprints(cluster.target('app'));
    expect(tables['auth.users']?.rows).toBe(200);
    expect(tables['public.profiles']?.rows).toBe(200);
    expect(tables['public.user_settings']?.rows).toBe(200);
    expect(tables['public.essays']?.rows).toBe(1600);
    expect(tables['public.flashcards']?.rows).toBe(4000);
    expect(tables['storage.objects']?.rows).toBe(600);
    expect((tables['public.quiz_attempts_2025']?.rows ?? 0) + (tables['public.quiz_attempts_2026']?.rows ?? 0)).toBe(
      2400,
    );
    expect(Number(await psql(cluster, 'app', 'select count(*) from pg_policies'))).toBeGreaterThanOrEqual(13);
    expect(
      await psql(
        cluster,
        'app',
        "select string_agg(rolname, ',' order by rolname) from pg_roles where rolname in ('anon','authenticated','service_role')",
      ),
    ).toBe('anon,authenticated,service_role\n');
    expect(Number(await psql(cluster, 'app', 'select sum(card_count) from public.flashcard_decks'))).toBe(4000);
    // Deterministic: the same seed gives the same data.
    await createDatabase(cluster, 'app2');
    await seedSandbox(cluster.target('app2'));
    const again = await tableFingerprints(cluster.target('app2'));
    expect(again['public.essays']).toEqual(tables['public.essays']);
    await createDatabase(cluster, 'fresh');
    await prepareFreshSupabase(cluster.target('fresh'));
    expect(await psql(cluster, 'fresh', 'select count(*) from auth.users')).toBe('0\n');
    expect(seconds).toBeLessThan(30);
  });
});
