import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/context.js';
import { Aborted, PgdrError, UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { TargetProfile } from '../actions/registry.js';
import { RunCleanup, type RunServices } from '../actions/run-services.js';
import { takeBackup, verifyBackup, formatBytes } from '../backup/index.js';
import { manifestTables } from '../backup/manifest-tables.js';
import { openRepository } from '../storage/index.js';
import { quoteIdent, withClient } from '../pg/client.js';
import { SupabaseManagementApi } from '../supabase/management-api.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';
import { seedSandbox } from './seed.js';
import { startAppStandIn, type AppStandIn } from './http-stand-in.js';
import { startSupabaseApi, type FakeSupabaseApi } from './supabase-api-stand-in.js';
import { SANDBOX_DATABASE, SCENARIOS } from './scenarios.js';

export const DEFAULT_SANDBOX_RUNBOOK = 'complete-loss';
export const SANDBOX_RUNBOOKS = Object.keys(SCENARIOS);

/** Everything a sandbox drill runs against; `teardown` removes it all (cluster, repository, stand-ins). */
export interface Sandbox {
  runbook: string;
  /** What the sandbox broke, in words. */
  disaster: string;
  targets: Record<string, TargetProfile>;
  services: RunServices;
  inputs: Record<string, string>;
  answers: Record<string, string>;
  app: AppStandIn;
  cluster: LocalCluster;
  teardown(): Promise<void>;
}

export interface SandboxOptions {
  log: Logger;
  interactive: boolean;
  signal?: AbortSignal;
  /** Users in the sample data (about 100 rows each); default 60. */
  users?: number;
}

const SUPABASE_REF = 'sandboxsandboxsandbo';

/**
 * Builds the embedded drill: a throwaway cluster with the sample database, a verified backup in a temporary
 * repository, the application and Supabase stand-ins on 127.0.0.1, and then the disaster the runbook is about.
 */
export async function startSandbox(runbook: string, options: SandboxOptions): Promise<Sandbox> {
  const scenario = SCENARIOS[runbook];
  if (!scenario)
    throw new UsageError(
      `The sandbox has no scenario for runbook '${runbook}'.`,
      `Sandbox runbooks: ${SANDBOX_RUNBOOKS.join(', ')}.`,
    );
  const { log } = options;
  const undo: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const step of undo.splice(0).reverse())
      await step().catch((e: Error) => log.warn(`Sandbox teardown: ${e.message}`));
  };
  try {
    const check = () => {
      if (options.signal?.aborted) throw new Aborted('Sandbox setup interrupted; everything it started was removed.');
    };
    log.info('Sandbox: starting a throwaway PostgreSQL cluster…');
    const cluster = await startLocalCluster();
    undo.push(() => cluster.destroy());
    registerSecret(cluster.password);
    check();
    await withClient(cluster.target('postgres'), (c) => c.query(`create database ${quoteIdent(SANDBOX_DATABASE)}`));
    await seedSandbox(cluster.target(SANDBOX_DATABASE), { users: options.users ?? 60 });
    check();
    const repoDir = await mkdtemp(join(tmpdir(), 'pgdr-sandbox-repo-'));
    undo.push(() => rm(repoDir, { recursive: true, force: true }));
    const repository = openRepository(repoDir);
    const quiet = {
      log: { ...log, info: () => {}, debug: () => {} },
      progress: () => {},
      signal: options.signal ?? new AbortController().signal,
    };
    const backup = await takeBackup({ target: cluster.target(SANDBOX_DATABASE), repo: repository }, quiet);
    const verified = await verifyBackup(
      { repo: repository, ref: backup.id, restoreTest: { server: cluster.target('postgres') } },
      quiet,
    );
    if (!verified.ok)
      throw new PgdrError(`Sandbox backup ${backup.id} failed its restore test: ${verified.errors.join('; ')}`, {
        hint: 'Report this: the sandbox sample should always restore.',
      });
    log.info(
      `Sandbox: backup ${backup.id} (${formatBytes(backup.bytes)}, ${manifestTables(backup.manifest).length} tables) taken and verified with a restore test.`,
    );
    check();
    const app = await startAppStandIn();
    undo.push(() => app.close());
    app.checkDatabase(cluster.target(scenario.restored));
    const services: RunServices = {
      repository,
      interactive: options.interactive,
      cleanup: new RunCleanup(),
      resumable: false,
    };
    if (scenario.supabase) {
      const token = `sbp_sandbox_${cluster.password}`;
      const now = Math.floor(Date.now() / 1000);
      const api: FakeSupabaseApi = await startSupabaseApi({
        ref: SUPABASE_REF,
        token,
        earliest: now - 7 * 86400,
        latest: now + 3600,
        afterRestore: [
          { status: 'RESTORING', polls: 2 },
          { status: 'ACTIVE_HEALTHY', polls: 1 },
        ],
      });
      undo.push(() => api.close());
      services.supabase = {
        ref: SUPABASE_REF,
        pollIntervalMs: 200,
        api: new SupabaseManagementApi({ token, baseUrl: api.url, log, backoffMs: 100 }),
      };
    }
    const at = new Date();
    const caused = await scenario.disaster(cluster);
    log.info(`Sandbox: disaster — ${caused.what}.`);
    const profile = (name: string, database: string): TargetProfile => ({
      name,
      target: cluster.target(database),
      production: false,
    });
    const targets = {
      primary: profile('primary', SANDBOX_DATABASE),
      scratch: profile('scratch', scenario.restored),
      restored: profile('restored', scenario.restored),
    };
    return {
      runbook,
      disaster: caused.what,
      targets,
      services,
      app,
      cluster,
      inputs: { ...scenario.inputs(app, at), ...caused.inputs },
      answers: scenario.answers ?? {},
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
