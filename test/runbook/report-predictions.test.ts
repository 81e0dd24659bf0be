import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml, renderJson, renderMarkdown } from '../../src/report/write.js';
import type { JournalRecord } from '../../src/runbook/journal.js';
import { header, passedRun, started, T0 } from '../ui/fake-run.js';

const meta: JournalRecord = {
  type: 'run.meta',
  at: T0,
  runId: header.runId,
  runbookId: header.runbook.id,
  runbookFile: 'complete-loss.yaml',
  mode: 'drill',
  operator: 'alice@bastion',
  inputs: {},
  secretInputs: [],
  targets: [],
};

/** A drill up to its restore step's start (the assess phase done). */
const drill = passedRun();
const restoreStep = drill.slice(1, drill.findIndex((e) => e.type === 'step.started' && e.stepId === 'pg-restore') + 1);

const predicted: JournalRecord = {
  type: 'restore.timing',
  at: T0 + 2000,
  stepId: 'pg-restore',
  kind: 'restore-predicted',
  runs: 3,
  phases: { stage: 10_000, load: 40_000, indexes: 20_000, analyze: 5_000 },
  totalMs: 75_000,
};
const timed: JournalRecord = {
  type: 'restore.timing',
  at: T0 + 82_000,
  stepId: 'pg-restore',
  kind: 'restore-timed',
  phases: { stage: 8_000, load: 50_000, indexes: 16_000, analyze: 6_000 },
  totalMs: 80_000,
};

describe('the report of a run with a restore prediction', () => {
  it('sets each phase predicted against actual, says what it rested on (md, json, html)', () => {
    const model = buildReportModel([meta, started, ...restoreStep, predicted, timed]);
    expect(model.predictions).toEqual([
      expect.objectContaining({ stepId: 'pg-restore', runs: 3, basis: 'based on 3 past restores' }),
    ]);
    expect(model.predictions[0]!.total).toMatchObject({ predicted: '1m 15s', actual: '1m 20s', error: '-6 %' });
    const md = renderMarkdown(model);
    expect(md).toContain('## Restore time: predicted and actual');
    expect(md).toContain('Step `pg-restore`, predicted before it started (based on 3 past restores):');
    expect(md).toContain('| load (COPY) | 40.0s | 50.0s | -20 % |');
    expect(md).toContain('| indexes and constraints | 20.0s | 16.0s | +25 % |');
    expect(md).toContain('| **total** | **1m 15s** | **1m 20s** | -6 % |');
    expect(JSON.parse(renderJson(model)).predictions[0].phases[0]).toMatchObject({
      phase: 'stage',
      predictedMs: 10_000,
      actualMs: 8_000,
      error: '+25 %',
    });
    const html = renderHtml(model);
    expect(html).toContain('<h2>Restore time: predicted and actual</h2>');
    expect(html).toContain('<tr><td>load (COPY)</td><td>40.0s</td><td>50.0s</td><td>-20 %</td></tr>');
  });

  it('a restore stopped before its end: the actual is not measured; without a prediction the report says nothing', () => {
    const stopped = renderMarkdown(buildReportModel([meta, started, ...restoreStep, predicted]));
    expect(stopped).toContain('| load (COPY) | 40.0s | not measured |  |');
    const none = buildReportModel([meta, started, ...restoreStep]);
    expect(none.predictions).toEqual([]);
    expect(renderMarkdown(none)).not.toMatch(/predict/i);
    expect(renderHtml(none)).not.toMatch(/predict/i);
  });
});
