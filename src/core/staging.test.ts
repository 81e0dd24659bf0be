import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStagingDir, sweepStaging } from './staging.js';

/** The pid of a process that has exited (and been reaped): no process has it now. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('staging directories', () => {
  it('are private, and removed by remove()', () => {
    const root = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    process.env.PGDR_STAGING_DIR = root;
    try {
      const dir = makeStagingDir('unit');
      expect(dir.path.startsWith(join(root, `pgdr-staging-${process.pid}-unit-`))).toBe(true);
      expect(statSync(dir.path).mode & 0o777).toBe(0o700);
      dir.remove();
      expect(readdirSync(root)).toEqual([]);
    } finally {
      delete process.env.PGDR_STAGING_DIR;
    }
  });

  it("the sweep removes only this user's directories of pgdr processes that are gone, never following a link", () => {
    const root = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    const dead = deadPid();
    const leftover = join(root, `pgdr-staging-${dead}-restore-abc`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'archive.dump'), 'PGDMP…');
    const live = join(root, `pgdr-staging-${process.ppid}-restore-def`);
    mkdirSync(live);
    const notOurs = join(root, 'pgdr-staging-root-x');
    mkdirSync(notOurs);
    const target = mkdtempSync(join(tmpdir(), 'pgdr-test-link-target-'));
    symlinkSync(target, join(root, `pgdr-staging-${dead}-restore-link`));
    const youngLegacy = join(root, 'pgdr-restore-young');
    mkdirSync(youngLegacy);
    const oldLegacy = join(root, 'pgdr-list-old');
    mkdirSync(oldLegacy);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(oldLegacy, twoDaysAgo, twoDaysAgo);

    const removed = sweepStaging(root);
    expect(removed).toEqual(expect.arrayContaining([{ path: leftover, pid: dead }, { path: oldLegacy }]));
    expect(removed).toHaveLength(2);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(oldLegacy)).toBe(false);
    for (const kept of [live, notOurs, youngLegacy, target]) expect(existsSync(kept), kept).toBe(true);
  });
});
