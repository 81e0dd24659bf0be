import { isPgdrError, errorMessage } from '../core/errors.js';
import { withClient, serverInfo } from '../pg/client.js';
import { findTool, toolFor, type PgTool } from '../pg/tools.js';
import type { DbTarget } from '../pg/connection.js';
import { critical, ok, type Finding, type Metric } from './finding.js';

export interface DoctorTarget {
  /** Profile name, or where the target came from. */
  label: string;
  target: DbTarget;
  /** Scratch targets are checked for reachability but not expected to have backups. */
  scratch?: boolean;
}

const hintOf = (error: unknown, fallback: string) => (isPgdrError(error) && error.hint ? error.hint : fallback);

/** The pg tools a backup and a restore need, found at all. */
export async function checkTools(): Promise<Finding[]> {
  const tools: PgTool[] = ['pg_dump', 'pg_restore', 'psql'];
  return Promise.all(
    tools.map(async (name) => {
      try {
        const tool = await findTool(name);
        return ok(`tools.${name}`, `${name} ${tool.version} at ${tool.path}`);
      } catch (error) {
        return critical(
          `tools.${name}`,
          errorMessage(error),
          hintOf(error, `Install the PostgreSQL client tools (apt-get install postgresql-client).`),
        );
      }
    }),
  );
}

/** Each target answers, and pg_dump/pg_restore are new enough for its server. */
export async function checkTargets(targets: DoctorTarget[], metrics: Metric[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { label, target } of targets) {
    const subject = `${label} (${target.display})`;
    let major: number;
    try {
      const info = await withClient(target, (client) => serverInfo(client), { applicationName: 'pgdr doctor' });
      major = info.major;
      findings.push(ok('target.reachable', `reachable, PostgreSQL ${info.version}`, subject));
      metrics.push({
        name: 'pgdr_target_up',
        help: 'Whether pgdr could connect to the target (1) or not (0).',
        type: 'gauge',
        labels: { target: label },
        value: 1,
      });
    } catch (error) {
      findings.push(
        critical(
          'target.reachable',
          errorMessage(error),
          hintOf(error, 'Check the URL and that the server is up.'),
          subject,
        ),
      );
      metrics.push({
        name: 'pgdr_target_up',
        help: 'Whether pgdr could connect to the target (1) or not (0).',
        type: 'gauge',
        labels: { target: label },
        value: 0,
      });
      continue;
    }
    for (const name of ['pg_dump', 'pg_restore'] as const) {
      try {
        const tool = await toolFor(name, major);
        findings.push(
          ok(`tools.compatible`, `${name} ${tool.version} can work with the PostgreSQL ${major} server`, subject),
        );
      } catch (error) {
        findings.push(
          critical(
            'tools.compatible',
            errorMessage(error),
            hintOf(error, `Install the PostgreSQL ${major} client tools.`),
            subject,
          ),
        );
      }
    }
  }
  return findings;
}
