import { quoteIdent, withClient } from '../pg/client.js';
import type { LocalCluster } from './local-cluster.js';
import type { AppStandIn } from './http-stand-in.js';
import { formatPgTime } from '../restore/pitr/index.js';

export const SANDBOX_DATABASE = 'app';
export const SCRATCH_DATABASE = 'app_restored';

/** How the sandbox sets up one runbook: the disaster it causes and the run's targets, inputs and answers. */
export interface Scenario {
  /** Database the `restored` target names: a new scratch one, or the damaged one itself. */
  restored: string;
  /** Causes the disaster; says what happened (for the operator) and the inputs that follow from it. */
  disaster(cluster: LocalCluster): Promise<{ what: string; inputs?: Record<string, string> }>;
  inputs(app: AppStandIn, at: Date): Record<string, string>;
  /** Type-the-name answers for runs without a terminal (the sandbox's own throwaway database). */
  answers?: Record<string, string>;
  /** Needs the Supabase Management API stand-in. */
  supabase?: boolean;
}

const app = (cluster: LocalCluster) => cluster.target(SANDBOX_DATABASE);
const iso = (at: Date) => at.toISOString();

export const SCENARIOS: Record<string, Scenario> = {
  'complete-loss': {
    restored: SCRATCH_DATABASE,
    async disaster(cluster) {
      await withClient(cluster.target('postgres'), (c) =>
        c.query(`drop database ${quoteIdent(SANDBOX_DATABASE)} with (force)`),
      );
      return { what: `database ${SANDBOX_DATABASE} dropped` };
    },
    inputs: (stand, at) => ({
      disaster_time: iso(at),
      maintenance_url: stand.maintenanceUrl,
      health_url: stand.healthUrl,
    }),
  },
  'accidental-deletion': {
    restored: SANDBOX_DATABASE,
    async disaster(cluster) {
      const ids = await withClient(app(cluster), async (c) => {
        const { rows } = await c.query<{ id: string }>(
          `delete from public.essays where id in (select id from public.essays where status <> 'scored' order by id limit 12) returning id`,
        );
        return rows.map((r) => r.id);
      });
      return {
        what: `${ids.length} rows of public.essays deleted (id ${ids.join(', ')})`,
        inputs: { where: `id in (${ids.join(', ')})` },
      };
    },
    inputs: (_stand, at) => ({ disaster_time: iso(at), table: 'public.essays' }),
  },
  corruption: {
    restored: SANDBOX_DATABASE,
    answers: { 'restore.confirm': SANDBOX_DATABASE },
    async disaster(cluster) {
      await withClient(app(cluster), async (c) => {
        await c.query('truncate public.flashcards');
        await c.query(`delete from public.documents where abs(hashtext(id::text)) % 3 = 0`);
      });
      return { what: 'public.flashcards truncated and a third of public.documents deleted' };
    },
    inputs: (stand, at) => ({
      disaster_time: iso(at),
      maintenance_url: stand.maintenanceUrl,
      health_url: stand.healthUrl,
    }),
  },
  pitr: {
    restored: SANDBOX_DATABASE,
    supabase: true,
    async disaster(cluster) {
      await withClient(app(cluster), (c) => c.query(`update public.profiles set full_name = 'oops'`));
      return {
        what: 'a bad migration overwrote public.profiles.full_name (PITR through a stand-in Supabase Management API)',
      };
    },
    inputs: (stand, at) => ({
      provider: 'supabase',
      disaster_time: iso(at),
      recovery_target: formatPgTime(new Date(Math.floor(at.getTime() / 1000) * 1000 - 30_000)),
      maintenance_url: stand.maintenanceUrl,
    }),
  },
  'app-error': {
    restored: SCRATCH_DATABASE,
    async disaster(cluster) {
      await withClient(app(cluster), (c) => c.query(`update public.essays set content = 'undefined' where id % 4 = 0`));
      return { what: 'a bad deploy overwrote a quarter of public.essays.content' };
    },
    inputs: (stand, at) => ({
      disaster_time: iso(at),
      tables: 'public.essays',
      rollback_command: '',
      health_url: stand.healthUrl,
    }),
  },
  'region-failover': {
    restored: SANDBOX_DATABASE,
    async disaster() {
      return { what: 'the primary region is declared down (the sandbox database plays the DR replica)' };
    },
    inputs: (stand) => ({
      dns_hook: 'echo "DNS now points at the DR region"',
      config_hook: 'echo "DATABASE_URL now points at the DR database"',
      health_url: stand.healthUrl,
      dns_ttl: '1s',
    }),
  },
  'quarterly-drill': {
    restored: SCRATCH_DATABASE,
    async disaster() {
      return { what: 'none: the quarterly drill restores a fresh backup into a scratch database' };
    },
    inputs: () => ({ fresh_backup: 'true' }),
  },
};
