import { chmodSync, mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPgdr, type CliResult } from '../helpers/cli.js';

export interface SandboxRun extends CliResult {
  /** The drill's own TMPDIR: the cluster and the repository live here while it runs. */
  tmp: string;
  cwd: string;
  reportPaths: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the report's JSON, read by the tests as they please
  report: Record<string, any>;
}

/** `pgdr drill --sandbox <runbook> --plain --yes` in a fresh directory, with a TMPDIR of its own. */
export async function sandboxDrill(runbook?: string, extra: string[] = []): Promise<SandboxRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'pgdr-drill-cwd-'));
  const tmp = mkdtempSync(join(tmpdir(), 'pgdr-drill-tmp-'));
  // As root the cluster runs as the postgres user, who must be able to reach its directory, as in /tmp itself.
  chmodSync(tmp, 0o755);
  chmodSync(cwd, 0o755);
  const result = await runPgdr(['drill', '--sandbox', ...(runbook ? [runbook] : []), '--plain', '--yes', ...extra], {
    cwd,
    env: { TMPDIR: tmp },
    timeoutMs: 90_000,
  });
  const reportPaths = [...result.stdout.matchAll(/report (\S+\.(?:md|json|html))/g)].map((m) => join(cwd, m[1]!));
  const json = reportPaths.find((p) => p.endsWith('.json'));
  const report = json && existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : {};
  return { ...result, tmp, cwd, reportPaths, report };
}

/** Left behind by a drill: files in its TMPDIR and processes whose command line names it. */
export function leftovers(run: SandboxRun): { files: string[]; processes: string[] } {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return { files: readdirSync(run.tmp), processes: ps.split('\n').filter((line) => line.includes(run.tmp)) };
}

/** The outputs a step recorded in the run's journal. */
export function stepOutputs(run: SandboxRun, stepId: string): Record<string, unknown> {
  const dir = run.reportPaths[0] ? join(run.reportPaths[0], '..') : '';
  const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return lines.find((e) => e.type === 'step.finished' && e.stepId === stepId)?.outputs ?? {};
}
