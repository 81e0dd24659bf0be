import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { redactValue } from '../core/secrets.js';
import { shippedDir } from '../core/assets.js';
import { checkChain, readJournal, type JournalRecord } from '../runbook/journal.js';
import { foldJournal } from '../runbook/run-state.js';
import { buildReportModel, type ReportModel } from './model.js';
import type { RecordContext } from './record.js';
import { escapeHtml, escapeMarkdown, renderTemplate } from './template.js';
import { timelineSvg } from './timeline-svg.js';
import { trendSvg } from './trend-svg.js';

/** templates/ sits at the package root, two levels above src/report and dist/report, one above .pgdr-test/ and dist/pgdr.mjs; else embedded. */
export const TEMPLATES_DIR = shippedDir('templates', import.meta.url, ['../../templates/', '../templates/']);

export const REPORT_FILES = ['report.md', 'report.json', 'report.html'] as const;

export function renderMarkdown(model: ReportModel, templatesDir = TEMPLATES_DIR): string {
  return renderTemplate(readFileSync(join(templatesDir, 'report.md.tmpl'), 'utf8'), model, escapeMarkdown);
}

export function renderHtml(model: ReportModel, templatesDir = TEMPLATES_DIR): string {
  return renderTemplate(
    readFileSync(join(templatesDir, 'report.html.tmpl'), 'utf8'),
    { ...model, timeline: timelineSvg(model), trend: trendSvg(model) },
    escapeHtml,
  );
}

export function renderJson(model: ReportModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

/** The earlier runs of the same runbook beside this one, oldest first (the last ten), for the record's trend. */
function earlierRuns(runDir: string, runbookId: string, runId: string): NonNullable<RecordContext['history']> {
  const runsDir = dirname(runDir);
  const out: NonNullable<RecordContext['history']> = [];
  for (const id of readdirSync(runsDir).sort()) {
    if (id >= runId) break;
    try {
      const state = foldJournal(readJournal(join(runsDir, id)));
      if (state.header?.runbook.id !== runbookId || !state.finished || state.startedAt === undefined) continue;
      out.push({
        runId: id,
        startedAt: new Date(state.startedAt).toISOString(),
        durationMs: state.finished.durationMs,
        status: state.finished.status,
      });
    } catch {
      // Not a run directory, or one that never began.
    }
  }
  return out.slice(-10);
}

/** What the record says beyond the journal's records: absolute paths, the runbook's hash, the chain, the trend. */
export function recordContext(runDir: string, records: readonly JournalRecord[]): RecordContext {
  const absolute = resolve(runDir);
  const runbookFile = join(absolute, 'runbook.yaml');
  const meta = records.find((r) => r.type === 'run.meta');
  const chain = existsSync(join(absolute, 'journal.jsonl')) ? checkChain(absolute) : undefined;
  return {
    runDir: absolute,
    reportFiles: REPORT_FILES.map((name) => join(absolute, name)),
    runbook: existsSync(runbookFile)
      ? {
          file: meta?.type === 'run.meta' ? meta.runbookFile : runbookFile,
          sha256: createHash('sha256').update(readFileSync(runbookFile)).digest('hex'),
        }
      : undefined,
    integrity: chain && !chain.broken ? { records: chain.records, chainHash: chain.chainHash } : undefined,
    history: meta?.type === 'run.meta' ? earlierRuns(absolute, meta.runbookId, basename(absolute)) : [],
  };
}

/** Writes report.md, report.json and report.html into the run's directory (0600) and returns their paths. */
export function writeRunReports(runDir: string, records: readonly JournalRecord[]): string[] {
  // Redacted before rendering: a mask applied to the rendered text would miss escaped secrets and break the JSON.
  const model = redactValue(buildReportModel(records, recordContext(runDir, records)));
  const rendered: Record<(typeof REPORT_FILES)[number], string> = {
    'report.md': renderMarkdown(model),
    'report.json': renderJson(model),
    'report.html': renderHtml(model),
  };
  return REPORT_FILES.map((name) => {
    const path = join(runDir, name);
    writeFileSync(path, rendered[name], { mode: 0o600 });
    return path;
  });
}
