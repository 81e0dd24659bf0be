import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackups } from '../../src/backup/catalog.js';
import { planRetention, prune, type RetentionPolicy } from '../../src/backup/retention.js';
import { makeBackupId } from '../../src/backup/backup-id.js';
import { LocalRepository } from '../../src/storage/index.js';
import { fakeBackup } from '../helpers/manifests.js';
import { snapshotTree } from './planted.js';

const NOW = new Date('2025-06-30T12:00:00Z');
const DAY = 86_400_000;
/** A policy that keeps every backup that checks out: prune may then remove none of them. */
const KEEP_ALL = 100_000;

const genuineArb = fc.uniqueArray(
  fc.record({
    days: fc.integer({ min: 0, max: 500 }),
    database: fc.constantFrom('app', 'crm'),
    kind: fc.constantFrom('full' as const, 'schema' as const),
  }),
  { maxLength: 6, selector: (g) => `${g.days}-${g.database}-${g.kind}` },
);
const idArb = fc
  .record({
    days: fc.integer({ min: -3, max: 500 }),
    database: fc.constantFrom('app', 'crm', 'other'),
    kind: fc.constantFrom('full' as const, 'tables' as const),
  })
  .map((g) => makeBackupId(g.kind, g.database, new Date(NOW.getTime() - g.days * DAY)));
/** Any name a directory entry can have. */
const nameArb = fc
  .string({
    minLength: 1,
    maxLength: 40,
    unit: fc.constantFrom('a', '1', '-', '.', '_', ' ', '\n', '\u001b', 'é', 'T', 'Z', '\\'),
  })
  .filter((n) => n !== '.' && n !== '..');
const dirArb = fc.oneof(idArb, nameArb, fc.constant('lnk'));
const hostileId = fc.oneof(idArb, nameArb, fc.constantFrom('lnk/sub', '../outside', 'x/../../outside', '', 42, null));
const manifestArb = fc.oneof(
  fc.json().map((j) => Buffer.from(j)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc
    .record({
      base: idArb,
      id: hostileId,
      database: fc.oneof(fc.constantFrom('app', 'crm', 'other'), fc.string()),
      path: fc.constantFrom('data.dump.zst', '../../outside/secret.txt', 'x/../../y', '/etc/passwd', 'manifest.json'),
      snapshotTime: fc.oneof(
        fc.constant(undefined),
        fc.string(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      cut: fc.option(fc.integer({ min: 0, max: 400 })),
    })
    .map(({ base, id, database, path, snapshotTime, cut }) => {
      const { manifest } = fakeBackup(base);
      const text = JSON.stringify({
        ...manifest,
        id,
        database,
        snapshotTime: snapshotTime ?? manifest.snapshotTime,
        files: [{ ...manifest.files[0], path }],
      });
      return Buffer.from(cut === null ? text : text.slice(0, cut));
    }),
);
const fileArb = fc.constantFrom(
  'manifest.json',
  'verification.json',
  'data.dump.zst',
  'data.dump.zst.partial',
  'x',
  'SHA256SUMS',
);
const junkArb = fc.oneof(
  fc.record({ type: fc.constant('manifest' as const), dir: dirArb, body: manifestArb }),
  fc.record({ type: fc.constant('dirlink' as const), dir: dirArb }),
  fc.record({ type: fc.constant('filelink' as const), dir: dirArb, file: fileArb }),
  fc.record({ type: fc.constant('file' as const), dir: dirArb, file: fileArb, body: manifestArb }),
);
const policyArb: fc.Arbitrary<RetentionPolicy> = fc.oneof(
  fc.record({
    keepDaily: fc.integer({ min: 0, max: 3 }),
    keepWeekly: fc.integer({ min: 0, max: 2 }),
    keepMonthly: fc.integer({ min: 0, max: 2 }),
    keepYearly: fc.integer({ min: 0, max: 1 }),
  }),
  fc
    .oneof(fc.integer({ min: 1, max: 600 }), fc.constant(KEEP_ALL))
    .map((retentionDays) => ({ keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0, retentionDays })),
);

/** Plants `junk` the way an attacker with write access to the repository would; genuine backups' own files stay. */
function plant(root: string, outside: string, genuine: Set<string>, junk: Junk[]): void {
  const backups = join(root, 'backups');
  for (const j of junk) {
    const dir = join(backups, j.dir);
    const own = genuine.has(j.dir);
    try {
      if (j.type === 'dirlink') {
        if (!existsSync(dir)) symlinkSync(outside, dir);
        continue;
      }
      if (existsSync(dir) && lstatSync(dir).isSymbolicLink()) continue;
      mkdirSync(dir, { recursive: true });
      const file = j.type === 'manifest' ? 'manifest.json' : j.file;
      // A genuine backup keeps its own manifest and data: planted beside it is fair, replacing it is a different attack.
      if (own && ['manifest.json', 'data.dump.zst'].includes(file)) continue;
      const path = join(dir, file);
      if (lstatExists(path)) continue;
      if (j.type === 'filelink') symlinkSync(join(outside, 'secret.txt'), path);
      else writeFileSync(path, j.body);
    } catch {
      // A name the file system refuses is a name no attacker could plant either.
    }
  }
}

type Junk =
  | { type: 'manifest'; dir: string; body: Buffer }
  | { type: 'dirlink'; dir: string }
  | { type: 'filelink'; dir: string; file: string }
  | { type: 'file'; dir: string; file: string; body: Buffer };

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The repository's entries below backups/<dir>/, for the dirs prune did not remove. */
const survivors = (tree: Record<string, string>, gone: Set<string>) =>
  Object.fromEntries(Object.entries(tree).filter(([path]) => !gone.has(path.split('/')[1] ?? '')));

describe('fuzz: a repository full of planted manifests, ids and files', () => {
  it('never touches a file outside it, lists without throwing, and prunes only what the policy removes from backups that check out', async () => {
    await fc.assert(
      fc.asyncProperty(
        genuineArb,
        fc.array(junkArb, { maxLength: 8 }),
        policyArb,
        async (genuineSpecs, junk, policy) => {
          const base = mkdtempSync(join(tmpdir(), 'pgdr-fuzz-'));
          try {
            const root = join(base, 'repo');
            const outside = join(base, 'outside');
            mkdirSync(join(outside, 'sub'), { recursive: true });
            writeFileSync(join(outside, 'secret.txt'), 'outside the repository');
            writeFileSync(
              join(outside, 'manifest.json'),
              JSON.stringify(fakeBackup(makeBackupId('full', 'app', NOW)).manifest),
            );
            writeFileSync(join(outside, 'sub', 'data.dump.zst'), 'keep');
            const repo = new LocalRepository(root);
            const genuine = new Set<string>();
            for (const g of genuineSpecs) {
              const id = makeBackupId(g.kind, g.database, new Date(NOW.getTime() - g.days * DAY - 3_600_000));
              const { manifest, files } = fakeBackup(id);
              await repo.writeFile(`backups/${id}/data.dump.zst`, files['data.dump.zst']!);
              await repo.writeFile(`backups/${id}/manifest.json`, JSON.stringify(manifest));
              genuine.add(id);
            }
            plant(root, outside, genuine, junk as Junk[]);
            const outsideBefore = snapshotTree(outside);

            const catalog = await listBackups(repo, NOW);
            const listed = catalog.backups.map((b) => b.manifest.id);
            for (const id of genuine) expect(listed).toContain(id);
            for (const b of catalog.backups) expect(catalog.damaged.map((d) => d.id)).not.toContain(b.manifest.id);

            const before = snapshotTree(root);
            const result = await prune(repo, policy, { now: NOW });
            const kept = planRetention(catalog.backups, policy, NOW)
              .filter((d) => d.keep)
              .map((d) => d.id);
            for (const id of result.removed) {
              expect(listed).toContain(id);
              expect(kept).not.toContain(id);
            }
            if (policy.retentionDays === KEEP_ALL) expect(result.removed).toEqual([]);
            const gone = new Set([...result.removed, ...result.removedIncomplete]);
            expect(survivors(snapshotTree(root), gone)).toEqual(survivors(before, gone));
            for (const d of catalog.damaged) expect(gone.has(d.id)).toBe(false);
            await listBackups(repo, NOW);
            expect(snapshotTree(outside)).toEqual(outsideBefore);
          } finally {
            rmSync(base, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
