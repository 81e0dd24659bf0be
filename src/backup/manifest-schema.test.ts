import { describe, expect, it } from 'vitest';
import { checkManifest } from './manifest-schema.js';
import { fakeBackup } from '../../test/helpers/manifests.js';

const ID = '20250116T143022Z-full-app';
const check = (manifest: object) => checkManifest(Buffer.from(JSON.stringify(manifest)), ID, new Date('2025-02-01'));

describe('manifest schema', () => {
  it('reads format 2 (tables by schema and name) and format 1 (counts keyed "schema.table")', () => {
    // Given the manifest a backup writes today, and one an older pgdr wrote
    const { manifest } = fakeBackup(ID, {
      tableRows: [
        { schema: 's.p', table: 't', rows: 2 },
        { schema: 's', table: 'p.t', rows: 5, parents: [{ schema: 's', table: 'base' }] },
      ],
    });
    const { tableRows: _, ...rest } = manifest;
    // When each is checked / Then both are usable
    expect(check(manifest).ok).toBe(true);
    expect(check({ ...rest, formatVersion: 1, rowCounts: { 'public.notes': 3 } }).ok).toBe(true);
  });

  it('refuses a manifest whose tables do not match its format', () => {
    const { manifest } = fakeBackup(ID);
    const { tableRows: _, ...rest } = manifest;
    expect(check({ ...manifest, rowCounts: { 'public.notes': 3 } })).toMatchObject({ ok: false });
    expect(check(rest)).toMatchObject({ ok: false });
    expect(check({ ...rest, formatVersion: 1 })).toMatchObject({ ok: false });
    expect(check({ ...manifest, tableRows: [{ schema: 'public', table: 'notes', rows: -1 }] })).toMatchObject({
      ok: false,
    });
  });
});
