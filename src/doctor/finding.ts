export type FindingSeverity = 'ok' | 'warning' | 'critical';

/** One thing pgdr doctor checked: what it found and, unless ok, what to do about it. */
export interface Finding {
  /** Stable id for scripts and metrics: "tools.pg_dump", "backup.age", "repository.disk". */
  check: string;
  severity: FindingSeverity;
  /** What was checked, about what: "prod (app)", "/var/backups/pgdr". */
  subject?: string;
  message: string;
  action?: string;
}

export interface Metric {
  name: string;
  help: string;
  type: 'gauge';
  labels?: Record<string, string>;
  value: number;
}

export interface DoctorReport {
  status: FindingSeverity;
  exitCode: 0 | 1 | 2;
  checkedAt: string;
  findings: Finding[];
  metrics: Metric[];
}

export const ok = (check: string, message: string, subject?: string): Finding => ({
  check,
  severity: 'ok',
  message,
  subject,
});
export const warning = (check: string, message: string, action: string, subject?: string): Finding => ({
  check,
  severity: 'warning',
  message,
  action,
  subject,
});
export const critical = (check: string, message: string, action: string, subject?: string): Finding => ({
  check,
  severity: 'critical',
  message,
  action,
  subject,
});

export function overall(findings: Finding[]): { status: FindingSeverity; exitCode: 0 | 1 | 2 } {
  if (findings.some((f) => f.severity === 'critical')) return { status: 'critical', exitCode: 2 };
  if (findings.some((f) => f.severity === 'warning')) return { status: 'warning', exitCode: 1 };
  return { status: 'ok', exitCode: 0 };
}
