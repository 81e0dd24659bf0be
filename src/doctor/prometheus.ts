import { writeAtomic } from '../storage/local-files.js';
import type { DoctorReport, Metric } from './finding.js';

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** node_exporter textfile format: HELP and TYPE once per name, then one sample per label set. */
export function renderPrometheus(report: DoctorReport): string {
  const metrics: Metric[] = [
    {
      name: 'pgdr_doctor_status',
      help: 'pgdr doctor result: 0 ok, 1 warning, 2 critical.',
      type: 'gauge',
      value: report.exitCode,
    },
    {
      name: 'pgdr_doctor_last_run_timestamp_seconds',
      help: 'When pgdr doctor last ran.',
      type: 'gauge',
      value: Math.floor(new Date(report.checkedAt).getTime() / 1000),
    },
    ...(['ok', 'warning', 'critical'] as const).map((severity) => ({
      name: 'pgdr_doctor_findings',
      help: 'Findings of the last pgdr doctor run, by severity.',
      type: 'gauge' as const,
      labels: { severity },
      value: report.findings.filter((f) => f.severity === severity).length,
    })),
    ...report.metrics,
  ];
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const name of [...new Set(metrics.map((m) => m.name))]) {
    for (const m of metrics.filter((x) => x.name === name)) {
      if (!seen.has(name)) {
        lines.push(`# HELP ${name} ${m.help}`, `# TYPE ${name} ${m.type}`);
        seen.add(name);
      }
      const labels =
        m.labels && Object.keys(m.labels).length
          ? `{${Object.entries(m.labels)
              .map(([k, v]) => `${k}="${escape(v)}"`)
              .join(',')}}`
          : '';
      lines.push(`${name}${labels} ${m.value}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Written whole or not at all (node_exporter never reads half a file), through no link planted beside it. */
export async function writePrometheusFile(path: string, report: DoctorReport): Promise<void> {
  await writeAtomic(path, renderPrometheus(report), 0o644);
}
