import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPgdr } from './helpers/cli.js';
import { useCluster } from './helpers/cluster.js';
import type { LocalCluster } from '../src/sandbox/local-cluster.js';
import { askInitAnswers, writeInitConfig, type InitPrompter } from '../src/config/init.js';
import { loadConfig } from '../src/config/load.js';
import { resolveProfile } from '../src/config/profile.js';

const AGE = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await useCluster();
});

/** Answers questions in order and records what was asked; a validate() that refuses an answer fails the test. */
function scripted(answers: (string | boolean)[]): InitPrompter & { asked: string[] } {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`no scripted answer for "${message}"`);
    return answers.shift()!;
  };
  return {
    asked,
    text: async (q) => {
      const a = String(next(q.message));
      const valid = q.validate?.(a) ?? true;
      if (valid !== true) throw new Error(`"${a}" refused: ${valid}`);
      return a;
    },
    select: async (q) => next(q.message) as never,
    confirm: async (q) => next(q.message) as boolean,
  };
}

const logger = () => {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug() {},
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error() {},
    },
  };
};

describe('pgdr init', () => {
  it('the wizard tests the connection and the repository, and writes a config that loads', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-init-'));
    const prompter = scripted([
      'APP_DB_URL',
      'prod',
      'production',
      false,
      join(cwd, 'backups'),
      AGE,
      'slack',
      'SLACK_WEBHOOK_URL',
    ]);
    const { lines, log } = logger();
    const answers = await askInitAnswers(prompter, { env: { APP_DB_URL: cluster.url }, log });
    expect(lines[0]).toMatch(
      /^info connected to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres \(PostgreSQL \d+/,
    );
    expect(lines[1]).toMatch(/^info repository .*backups is reachable and writable/);
    const path = writeInitConfig(answers, { cwd });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(cluster.password);
    const loaded = await loadConfig({ cwd, env: { PGDR_HOME: join(cwd, 'home') } });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.notifications?.slack?.webhookUrlEnv).toBe('SLACK_WEBHOOK_URL');
    expect(loaded.config.encryption?.recipients).toEqual([AGE]);
    expect(resolveProfile(loaded.config, undefined, { APP_DB_URL: cluster.url }).role).toBe('production');
    expect(() => writeInitConfig(answers, { cwd })).toThrow(/already exists/);
  });

  it('the wizard warns about an unreachable database and offers another repository when one fails', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-init-'));
    writeFileSync(join(cwd, 'a-file'), '');
    const prompter = scripted([
      'DATABASE_URL',
      'staging',
      'staging',
      false,
      join(cwd, 'a-file', 'repo'),
      true,
      join(cwd, 'ok'),
      '',
      'none',
    ]);
    const { lines, log } = logger();
    const answers = await askInitAnswers(prompter, { env: { DATABASE_URL: 'postgres://u@127.0.0.1:1/db' }, log });
    expect(lines[0]).toMatch(/^warn Could not connect to postgres:\/\/u@127\.0\.0\.1:1\/db/);
    expect(lines[1]).toMatch(/^warn /);
    expect(prompter.asked).toContain('Choose another repository?');
    expect(answers).toMatchObject({ repository: join(cwd, 'ok'), recipients: [], notify: 'none', role: 'staging' });
  });

  it('pgdr init --yes in an empty directory, then pgdr config show', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-init-cli-'));
    const env = { DATABASE_URL: cluster.url, PGDR_HOME: join(cwd, 'home'), PGDR_CONFIG: '' };
    const run = (...args: string[]) => runPgdr(args, { cwd, env });
    const init = await run('init', '--yes', '--target-env', 'DATABASE_URL', '--repo', 'backups');
    expect(init.code).toBe(0);
    expect(init.stderr).toMatch(/connected to .*\(PostgreSQL/);
    expect(init.stdout).toContain('pgdr.config.yaml (mode 600)');
    expect(existsSync(join(cwd, 'backups'))).toBe(true);
    const show = await run('config', 'show', '--json');
    const shown = JSON.parse(show.stdout);
    expect(shown.config.targets.production).toEqual({ urlEnv: 'DATABASE_URL', role: 'production', supabase: false });
    expect(shown.origins['repository.url']).toBe('file');
    expect(shown.origins['thresholds.sizeChangePct']).toBe('file');
    const again = await run('init', '--yes', '--repo', 'backups');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
  });
});
