import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgdrCommand } from '../helpers/cli.js';
import { quote, tmuxServer, tmuxSession } from './tmux.js';

const tmux = tmuxServer('e2e');
const session = 'drill';
const { seen, until, keys, type } = tmuxSession(tmux, session);

describe('pgdr drill --sandbox in a real terminal (tmux, 80×24)', () => {
  it('shows the phases advancing, takes the keystrokes it needs and ends with a passed report', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-e2e-cwd-'));
    const tmp = mkdtempSync(join(tmpdir(), 'pgdr-e2e-tmp-'));
    chmodSync(cwd, 0o755);
    chmodSync(tmp, 0o755);
    const home = mkdtempSync(join(tmpdir(), 'pgdr-e2e-home-'));
    const command = `cd ${quote(cwd)} && TMPDIR=${quote(tmp)} PGDR_HOME=${quote(home)} ${[process.execPath, ...pgdrCommand(), 'drill', '--sandbox'].map(quote).join(' ')}; echo "EXIT=$?"; sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', command);

    // Asked once, before the run's screen, and remembered for the next drill.
    await until('the operator question', (s) => s.includes('Your name, for the drill records'));
    type('Ada Operator');
    await keys('Enter');

    const first = await until('the first checklist', (s) => s.includes('0/3 done'));
    expect(first).toContain('[DRILL] Complete database loss');
    expect(first).toMatch(/▶ Assess/);
    expect(first).toMatch(/○ Restore/);
    await keys('Space', 'Down', 'Space', 'Down', 'Space');
    await until('three ticks', (s) => s.includes('3/3 done'));
    await keys('Enter');

    await until('the closing checklist', (s) => s.includes('0/2 done'));
    await keys('Space', 'Down', 'Space');
    await until('two ticks', (s) => s.includes('2/2 done'));
    await keys('Enter');
    await until('the notes prompt', (s) => s.includes('Notes for the report'));
    type('sandbox drill went fine');
    await until('the typed notes', (s) => s.includes('sandbox drill went fine'));
    await keys('Enter');
    await until('the sign-off', (s) => s.includes("Approver's name"));
    type('Grace Approver');
    await until('the typed approver', (s) => s.includes('Grace Approver'));
    await keys('Enter');

    const end = await until('the end of the run', (s) => s.includes('EXIT='), 90_000);
    expect(end).toContain('EXIT=0');
    expect(end).toContain('run passed');
    // signed at the end: the next steps no longer ask for the signature the record already has
    expect(end).not.toContain('Sign the drill record');
    expect(end).toContain('pgdr report verify');
    for (const phase of ['Assess', 'Maintenance mode', 'Restore', 'Validate', 'Resume service'])
      expect(end).toMatch(new RegExp(`✔ ${phase}`));
    expect(seen.some((s) => /✔ Assess/.test(s) && /✔ Restore/.test(s) && /▶ Resume service/.test(s))).toBe(true);

    const runs = readdirSync(join(cwd, 'pgdr-runs'));
    expect(runs).toHaveLength(1);
    const dir = join(cwd, 'pgdr-runs', runs[0]!);
    for (const file of ['report.md', 'report.json', 'report.html']) {
      expect(existsSync(join(dir, file))).toBe(true);
      expect(end).toContain(`report pgdr-runs/${runs[0]}/${file}`);
    }
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'passed', mode: 'drill' });
    expect(report.rto.actualMs).toBeGreaterThan(0);
    expect(report.rto.met).toBe(true);
    expect(JSON.stringify(report.notes)).toContain('sandbox drill went fine');
    expect(report.operatorName).toBe('Ada Operator');
    expect(report.signoff).toMatchObject({ approver: 'Grace Approver' });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/RTO met/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a terminal closed mid-drill (SSH dropped) suspends the run, removes the sandbox cluster and exits 129', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-e2e-cwd-'));
    const tmp = mkdtempSync(join(tmpdir(), 'pgdr-e2e-tmp-'));
    chmodSync(cwd, 0o755);
    chmodSync(tmp, 0o755);
    const hangup = 'hangup';
    const exitFile = join(cwd, 'exit-status');
    // As a login shell does when the SSH connection drops: it gets the hang-up and passes it on to its job.
    const pgdr = [process.execPath, ...pgdrCommand(), 'drill', '--sandbox'].map(quote).join(' ');
    const script = `trap 'kill -HUP $pid' HUP; ${pgdr} < /dev/tty & pid=$!; while kill -0 $pid 2>/dev/null; do wait $pid; code=$?; done; echo $code > ${quote(exitFile)}`;
    const command = `cd ${quote(cwd)} && TMPDIR=${quote(tmp)} PGDR_OPERATOR=Ada exec bash -c ${quote(script)}`;
    tmux('new-session', '-d', '-s', hangup, '-x', '80', '-y', '24', command);
    const deadline = Date.now() + 60_000;
    while (!tmux('capture-pane', '-p', '-t', hangup).includes('0/3 done')) {
      if (Date.now() > deadline) throw new Error('the drill never reached its first checklist');
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(readdirSync(tmp).some((f) => f.startsWith('pgdr-cluster-'))).toBe(true);
    tmux('kill-session', '-t', hangup);
    const gone = Date.now() + 30_000;
    while (readdirSync(tmp).length || postgresUnder(tmp)) {
      if (Date.now() > gone)
        throw new Error(`the sandbox was not removed after the hang-up: ${readdirSync(tmp).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const runs = readdirSync(join(cwd, 'pgdr-runs'));
    expect(runs).toHaveLength(1);
    expect(readFileSync(join(cwd, 'pgdr-runs', runs[0]!, 'journal.jsonl'), 'utf8')).toContain('"run.suspended"');
    // Exit status 129 (suspended by SIGHUP), not an abort while Node puts back the settings of a terminal that is gone.
    while (!existsSync(exitFile)) {
      if (Date.now() > gone) throw new Error('pgdr did not exit after the hang-up');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('129');
  });
});

/** Whether a PostgreSQL server runs with its data directory under `dir`. */
function postgresUnder(dir: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dir}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}
