import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRun, resumeRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { signRecord } from '../../src/report/integrity.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import type { TargetProfile } from '../../src/actions/registry.js';
import { useCluster } from '../helpers/cluster.js';
import { chromiumDom, scripted, tempDir, testActions } from './helpers.js';

const TABLES = [
  { table: 'public.orders', expected: 1200, actual: 1200, ok: true },
  { table: 'public."order items"', expected: 3400, actual: 3400, ok: true },
  // empty in the backup and restored empty; and a table an at-least check passed with more rows than the backup
  { table: 'public.refunds', expected: 0, actual: 0, ok: true },
  { table: 'public.audit_log', expected: 10, actual: 12, ok: true },
];

const runbookYaml = (recoveryPoint: string) => `id: record
title: Orders drill <record>
severity: high
rto: 10m
rpo: 1h
description: Restore the orders database into scratch and prove every table holds its rows.
phases:
  - id: assess
    title: Assess
    rto: 1m
    steps:
      - { id: announce, title: Tell the team, action: notify, with: { message: "Drill started" } }
      - { id: ping, title: The server answers, action: pg.ping, with: { target: primary } }
      - { id: look, title: Look around, action: manual, with: { items: [Status page checked, Scribe named, Channel open], notes: true } }
  - id: restore
    title: Restore
    rto: 5m
    steps:
      - { id: pick, title: Pick the backup, action: test.echo, with: { backupId: 20250101T000000Z-full-orders, bytes: 1048576, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, encryption: "age, 1 recipient(s)", recoveryPoint: "${recoveryPoint}" } }
      - { id: pause, title: Let it settle, action: test.slow, with: { ms: 1500 } }
      - { id: rows, title: Every table holds its rows, action: test.echo, with: { tables: ${JSON.stringify(TABLES)} } }
`;

let primary: TargetProfile;

beforeAll(async () => {
  const cluster = await useCluster();
  primary = { name: 'primary', target: cluster.target('postgres'), production: false };
});

/** A drill of the record runbook; `suspendAt` suspends it when that step starts (to be resumed later). */
async function drill(runsDir: string, answers: Record<string, string | string[] | boolean>, suspendAt?: string) {
  const actions = testActions();
  const runbook = loadRunbookText(
    runbookYaml(new Date(Date.now() - 3 * 3600_000).toISOString()),
    'record.yaml',
    actions,
  );
  const run = createRun({
    runbook,
    mode: 'drill',
    prompter: scripted(answers),
    runsDir,
    actions,
    targets: { primary },
    operatorName: 'Ada Operator',
    writeReports: writeRunReports,
  });
  if (suspendAt)
    run.subscribe((e) => {
      if (e.type === 'step.started' && e.stepId === suspendAt) setTimeout(() => run.suspend('SIGHUP'), 50);
    });
  return { run, result: await run.start(), actions };
}

describe('the drill record', () => {
  it('shows every field an auditor asks for, in headless Chromium at 1280 px, without running off the page', async () => {
    const runsDir = tempDir();
    const answers = {
      'look.checklist': ['Status page checked'],
      'look.incomplete': true,
      'look.notes': 'Scribe was late',
    };
    expect((await drill(runsDir, answers)).result.status).toBe('passed');
    const { run, actions } = await drill(runsDir, answers, 'pause');
    const resumed = resumeRun(run.runId, {
      runsDir,
      prompter: scripted(answers),
      actions,
      targets: { primary },
      writeReports: writeRunReports,
    });
    expect((await resumed.start()).status).toBe('passed');
    signRecord(resumed.runDir, resumed.runId, {
      approver: 'Grace Approver',
      note: 'Reviewed in the weekly DR meeting',
      followUps: [{ what: 'Name a backup scribe', owner: 'Sam' }],
    });

    const html = readFileSync(join(resumed.runDir, 'report.html'), 'utf8');
    // A copy that measures itself once laid out at 1280 px: what the page shows, and whether anything runs off it.
    const probe = join(resumed.runDir, 'probe.html');
    writeFileSync(
      probe,
      html.replace(
        '</body>',
        `<pre id="layout"></pre><script>
const ids = ['scenario','status','scope','operator','approver','targets','time','backup','versions','phases','tables','checklists','notes','deviations','interruptions','integrity','paths'];
const out = { scrollWidth: document.documentElement.scrollWidth, fields: {} };
for (const id of ids) { const el = document.getElementById(id); const r = el && el.getBoundingClientRect(); out.fields[id] = el ? { text: el.innerText, right: r.right, width: r.width } : null; }
out.trend = document.querySelectorAll('svg.trend rect.trend-bar').length;
out.gaps = document.querySelectorAll('svg.timeline rect.gap').length;
document.getElementById('layout').textContent = JSON.stringify(out);
</script></body>`,
      ),
    );
    const dom = await chromiumDom(probe);
    const layout = JSON.parse(
      /<pre id="layout">([^<]*)<\/pre>/
        .exec(dom)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as {
      scrollWidth: number;
      fields: Record<string, { text: string; right: number; width: number } | null>;
      trend: number;
      gaps: number;
    };
    expect(layout.scrollWidth).toBeLessThanOrEqual(1280);
    for (const [id, field] of Object.entries(layout.fields)) {
      expect(field, id).not.toBeNull();
      expect(field!.width, id).toBeGreaterThan(0);
      expect(field!.right, id).toBeLessThanOrEqual(1280);
    }
    const text = (id: string) => layout.fields[id]!.text;
    expect(text('scenario')).toBe('Orders drill <record>');
    expect(text('scope')).toContain('prove every table holds its rows');
    expect(text('operator')).toMatch(/Ada Operator, account \S+@\S+/);
    expect(text('approver')).toContain('Grace Approver, signed');
    expect(text('approver')).toContain('Reviewed in the weekly DR meeting');
    expect(text('targets')).toContain('primary: postgres://postgres:***@127.0.0.1');
    expect(text('time')).toMatch(/people \d.*machines \d/);
    expect(text('backup')).toMatch(
      /20250101T000000Z-full-orders, 1\.0 MiB, encryption age, 1 recipient\(s\), recovery point .*\(3h \d+m old when the run began\), sha256 9f86d081/,
    );
    expect(text('versions')).toMatch(
      /pgdr \d+\.\d+\.\d+, pg_dump \d+\.\d+, pg_restore \d+\.\d+; server of primary: PostgreSQL 15\.\d+/,
    );
    expect(text('versions')).toMatch(/runbook record\.yaml, sha256 [0-9a-f]{64}/);
    expect(text('phases')).toMatch(/Assess\s+succeeded\s+\S+\s+\S+\s+\S+\s+1m 00s (met|not met)/);
    expect(text('phases')).toContain('skipped: no notification channel configured; nobody was told');
    expect(text('tables')).toContain('public."order items"\t3400\t3400\texact');
    expect(text('tables')).toContain('public.refunds\t0\t0\texact');
    expect(text('tables')).toContain('public.audit_log\t10\t12\tat least (2 more)');
    const md = readFileSync(join(resumed.runDir, 'report.md'), 'utf8');
    expect(md).toContain("3 of 4 table(s) hold the backup's exact row counts, 1 with more rows than the backup.");
    expect(md).toContain('| `public.refunds` | 0 | 0 | ✅ exact |');
    expect(md).toContain('| `public.audit_log` | 10 | 12 | ✅ at least (2 more) |');
    expect(text('checklists')).toContain('not ticked: Scribe named');
    expect(text('notes')).toContain('Scribe was late');
    expect(text('deviations')).toContain(
      'Checklist submitted with 2 of 3 items not ticked: Scribe named; Channel open — owner: Ada Operator',
    );
    expect(text('deviations')).toContain('Name a backup scribe — owner: Sam (named by Grace Approver)');
    expect(text('interruptions')).toMatch(/SIGHUP; resumed .* from the journal, a gap of \S+ \(counted in the RTO\)/);
    expect(text('integrity')).toMatch(/holds \d+ records.*chain ends [0-9a-f]{64}/);
    expect(text('paths')).toContain(`Run directory ${resumed.runDir}`);
    expect(layout.trend).toBe(2);
    expect(layout.gaps).toBe(1);
  });
});
