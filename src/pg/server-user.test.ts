import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { clusterParentDir } from '../sandbox/local-cluster.js';
import { handToServerUser, isRoot, traversableByServerUser } from './server-user.js';

describe.runIf(isRoot())('directories the server user can enter', () => {
  it('counts a private directory the server user owns, and not one root keeps to itself', () => {
    // Given a parent open to all, with a postgres-owned 0700 directory and a root-owned 0700 one in it
    const parent = mkdtempSync(join(clusterParentDir(), 'pgdr-traverse-'));
    chmodSync(parent, 0o755);
    const own = join(parent, 'own');
    const roots = join(parent, 'roots');
    mkdirSync(own, { mode: 0o700 });
    mkdirSync(roots, { mode: 0o700 });
    handToServerUser(own);
    // Then a new cluster may go under the first (the server runs as postgres), not under the second
    expect(traversableByServerUser(own)).toBe(true);
    expect(traversableByServerUser(roots)).toBe(false);
  });
});
