import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { chromiumDom, scripted, tempDir, testActions } from './helpers.js';

describe('drill report', () => {
  it('renders in headless chromium with the scenario, the RTO verdict and a bar per step', async () => {
    const actions = testActions();
    const rb = loadRunbookText(
      `id: demo
title: Demo <scenario> & drill
severity: low
rto: 1h
rpo: 24h
phases:
  - id: assess
    title: Assess
    steps:
      - { id: one, title: First step, action: test.echo, with: { recoveryPoint: "2020-01-01T00:00:00Z", backupId: b-1 } }
      - { id: check, title: Row counts, action: test.flaky, with: { failures: 1 }, continueOnError: true }
  - id: resume
    title: Resume
    steps:
      - { id: two, title: Second step, action: test.slow, with: { ms: 50 } }
      - { id: notes, title: Notes, action: manual, with: { items: [done], notes: true } }
`,
      'demo.yaml',
      actions,
    );
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'drill',
      prompter: scripted({ 'notes.notes': 'all <fine>' }),
      runsDir: tempDir(),
      actions,
      inputs: {},
    });
    const result = await run.start();
    expect(result.status).toBe('passed');
    const md = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    expect(md).toContain('RTO met');
    expect(md).toContain('Backup used | `b-1`');
    expect(md).toContain('notes: all <fine>');
    const html = join(result.runDir, 'report.html');
    const dom = await chromiumDom(html);
    expect(dom).toContain('<h1 id="scenario">Demo &lt;scenario&gt; &amp; drill</h1>');
    expect(dom).toMatch(/<p id="rto-verdict"><span class="verdict met">RTO met<\/span>/);
    const bars = [...dom.matchAll(/<rect class="step-bar" data-step="([^"]+)" data-status="([^"]+)"/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(bars).toEqual([
      ['preflight.questions', 'succeeded'],
      ['preflight.targets', 'succeeded'],
      ['preflight.repository', 'succeeded'],
      ['preflight.tools', 'succeeded'],
      ['one', 'succeeded'],
      ['check', 'failed'],
      ['two', 'succeeded'],
      ['notes', 'succeeded'],
    ]);
    expect(dom).toContain('all &lt;fine&gt;');
    expect(dom).not.toMatch(/<(script|link|img)\b/);
  });
});
