import { formatBytes } from '../core/format-bytes.js';
import { formatDuration } from '../core/duration.js';
import { stepsOf, type RunState } from '../runbook/run-state.js';
import type { ReportPhase } from './phases.js';

/** What the drill record needs beyond the journal: read by the report writer from the run's directory. */
export interface RecordContext {
  /** Absolute paths. */
  runDir?: string;
  reportFiles?: string[];
  /** The runbook as the run used it (the copy beside the journal) and its sha256. */
  runbook?: { file: string; sha256: string };
  /** The journal's hash chain as it stands: how many records, and the hash of the last. */
  integrity?: { records: number; chainHash: string };
  /** Earlier runs of the same runbook, oldest first, for the trend. */
  history?: { runId: string; startedAt: string; durationMs: number; status: string }[];
}

export interface TableCount {
  table: string;
  expected: number;
  actual: number | null;
  ok: boolean;
}

/** A table's row count as the record states it: what was restored, and whether it is the backup's count exactly. */
export interface TableVerdict extends TableCount {
  /** The count, or "missing" when the table was not there (0 is a count). */
  restored: string;
  exact: boolean;
  /** "exact", "at least (N more)" for a check that accepts rows added since, or "differs". */
  verdict: string;
}

function tableVerdict(t: TableCount): TableVerdict {
  const exact = t.ok && t.actual === t.expected;
  const more = t.ok && t.actual !== null && t.actual > t.expected;
  return {
    ...t,
    restored: t.actual === null ? 'missing' : String(t.actual),
    exact,
    verdict: exact ? 'exact' : more ? `at least (${t.actual! - t.expected} more)` : 'differs',
  };
}

function tablesVerdict(tables: readonly TableVerdict[]): string {
  const exact = tables.filter((t) => t.exact).length;
  const more = tables.filter((t) => t.ok && !t.exact).length;
  const differ = tables.filter((t) => !t.ok).length;
  return [
    `${exact} of ${tables.length} table(s) hold the backup's exact row counts`,
    ...(more ? [`${more} with more rows than the backup`] : []),
    ...(differ ? [`${differ} differ`] : []),
  ].join(', ');
}

export interface DrillRecord {
  scope: {
    description?: string;
    targets: { name: string; display: string; production: boolean }[];
    restoresInto?: string;
    repository?: string;
  };
  versions: {
    pgdr?: string;
    tools: { name: string; version: string }[];
    servers: { target: string; version: string }[];
    runbook?: { file: string; sha256: string };
  };
  backupUsed?: {
    id: string;
    size?: string;
    sha256?: string;
    encryption?: string;
    recoveryPoint?: string;
    /** How old the backup was when the run began. */
    age?: string;
  };
  time: { human: string; machine: string; humanMs: number };
  tables: TableVerdict[];
  tablesVerdict?: string;
  trend: { runId: string; startedAt: string; durationMs: number; duration: string; status: string; current: boolean }[];
  paths?: { runDir: string; journal: string; reports: string[] };
  integrity?: { records: number; chainHash: string };
}

const text = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

/** The drill record's parts an auditor asks for: scope, versions, the backup, time spent, table counts, trend. */
export function drillRecord(
  state: RunState,
  phases: ReportPhase[],
  ctx: RecordContext,
  durationMs: number,
): DrillRecord {
  const { meta, header } = state;
  const steps = stepsOf(state);
  const preflight = (id: string) => steps.find((s) => s.id === id)?.outputs ?? {};
  const toolVersions = (preflight('preflight.tools').versions ?? {}) as Record<string, string>;
  const servers = (preflight('preflight.targets').servers ?? {}) as Record<string, string>;
  const picked = steps.find((s) => s.status === 'succeeded' && typeof s.outputs.backupId === 'string')?.outputs;
  const counted = (
    [...steps].reverse().find((s) => Array.isArray(s.outputs.tables))?.outputs.tables as TableCount[] | undefined
  )?.map(tableVerdict);
  const humanMs = phases.reduce((n, p) => n + p.humanMs, 0);
  const start = meta?.at ?? 0;
  return {
    scope: {
      description: header?.runbook.description,
      targets: (meta?.targets ?? []).map(({ name, display, production }) => ({ name, display, production })),
      restoresInto: header?.restoresInto,
      repository: meta?.services?.repo,
    },
    versions: {
      pgdr: toolVersions.pgdr,
      tools: Object.entries(toolVersions)
        .filter(([name]) => name !== 'pgdr')
        .map(([name, version]) => ({ name, version })),
      servers: Object.entries(servers).map(([target, version]) => ({ target, version })),
      runbook: ctx.runbook,
    },
    backupUsed: picked && {
      id: String(picked.backupId),
      size: typeof picked.bytes === 'number' ? formatBytes(picked.bytes) : undefined,
      sha256: text(picked.sha256),
      encryption: text(picked.encryption),
      recoveryPoint: text(picked.recoveryPoint),
      age:
        typeof picked.recoveryPoint === 'string' && !Number.isNaN(Date.parse(picked.recoveryPoint))
          ? formatDuration(Math.max(0, start - Date.parse(picked.recoveryPoint)))
          : undefined,
    },
    time: { humanMs, human: formatDuration(humanMs), machine: formatDuration(Math.max(0, durationMs - humanMs)) },
    tables: counted ?? [],
    tablesVerdict: counted ? tablesVerdict(counted) : undefined,
    trend: [
      ...(ctx.history ?? []).map((h) => ({ ...h, duration: formatDuration(h.durationMs), current: false })),
      {
        runId: header?.runId ?? '',
        startedAt: new Date(start).toISOString(),
        durationMs,
        duration: formatDuration(durationMs),
        status: state.finished?.status ?? 'running',
        current: true,
      },
    ],
    paths: ctx.runDir
      ? { runDir: ctx.runDir, journal: `${ctx.runDir}/journal.jsonl`, reports: ctx.reportFiles ?? [] }
      : undefined,
    integrity: ctx.integrity,
  };
}
