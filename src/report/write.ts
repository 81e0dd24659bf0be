import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactValue } from '../core/secrets.js';
import { shippedDir } from '../core/assets.js';
import type { JournalRecord } from '../runbook/journal.js';
import { buildReportModel, type ReportModel } from './model.js';
import { escapeHtml, escapeMarkdown, renderTemplate } from './template.js';
import { timelineSvg } from './timeline-svg.js';

/** templates/ sits at the package root, two levels above src/report and dist/report, one above .pgdr-test/ and dist/pgdr.mjs; else embedded. */
export const TEMPLATES_DIR = shippedDir('templates', import.meta.url, ['../../templates/', '../templates/']);

export function renderMarkdown(model: ReportModel, templatesDir = TEMPLATES_DIR): string {
  return renderTemplate(readFileSync(join(templatesDir, 'report.md.tmpl'), 'utf8'), model, escapeMarkdown);
}

export function renderHtml(model: ReportModel, templatesDir = TEMPLATES_DIR): string {
  return renderTemplate(
    readFileSync(join(templatesDir, 'report.html.tmpl'), 'utf8'),
    { ...model, timeline: timelineSvg(model) },
    escapeHtml,
  );
}

export function renderJson(model: ReportModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

/** Writes report.md, report.json and report.html into the run's directory (0600) and returns their paths. */
export function writeRunReports(runDir: string, records: readonly JournalRecord[]): string[] {
  // Redacted before rendering: a mask applied to the rendered text would miss escaped secrets and break the JSON.
  const model = redactValue(buildReportModel(records));
  const files: [string, string][] = [
    ['report.md', renderMarkdown(model)],
    ['report.json', renderJson(model)],
    ['report.html', renderHtml(model)],
  ];
  return files.map(([name, text]) => {
    const path = join(runDir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  });
}
