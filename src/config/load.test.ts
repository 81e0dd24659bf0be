import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load.js';
import { repositorySpec, resolveProfile } from './profile.js';
import { describeConfig } from './show.js';
import { rememberProfile } from './user-store.js';

const AGE = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

function dir(yaml?: string): string {
  const d = mkdtempSync(join(tmpdir(), 'pgdr-config-'));
  if (yaml !== undefined) {
    writeFileSync(join(d, 'pgdr.config.yaml'), yaml);
    chmodSync(join(d, 'pgdr.config.yaml'), 0o600);
  }
  return d;
}

const env = (extra: Record<string, string> = {}) => ({ PGDR_HOME: dir(), ...extra });

describe('loadConfig', () => {
  it('fills the seeds’ defaults when there is no file', async () => {
    const loaded = await loadConfig({ cwd: dir(), env: env() });
    expect(loaded.path).toBeUndefined();
    expect(loaded.config.schedules.full).toBe('0 2 * * *');
    expect(loaded.config.retention).toMatchObject({ keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 5 });
    expect(loaded.config.thresholds.maxBackupAgeHours).toBe(24);
    expect(loaded.origins['schedules.full']).toBe('default');
  });

  it('merges file, env and user store and records where each value came from', async () => {
    const cwd = dir(
      `targets:\n  prod:\n    urlEnv: PROD_URL\n    role: production\n  scratch:\n    url: postgres://me@localhost/scratch\n    role: scratch\nrepository:\n  url: /srv/backups\nencryption:\n  recipients: [${AGE}]\nthresholds:\n  maxBackupAgeHours: 30\n`,
    );
    const e = env({ PGDR_REPO: 's3://bucket/pgdr', PROD_URL: 'postgres://app:s3cret@db.example.com:5432/app' });
    await rememberProfile('scratch', e);
    const loaded = await loadConfig({ cwd, env: e });
    expect(loaded.origins['repository.url']).toBe('env');
    expect(loaded.origins['thresholds.maxBackupAgeHours']).toBe('file');
    expect(loaded.origins['thresholds.sizeChangePct']).toBe('default');
    expect(loaded.origins['defaultTarget']).toBe('user');
    expect(repositorySpec(loaded.config)).toEqual({ url: 's3://bucket/pgdr' });
    expect(repositorySpec(loaded.config, '/tmp/r').url).toBe('/tmp/r');

    const prod = resolveProfile(loaded.config, 'prod', e);
    expect(prod.role).toBe('production');
    expect(prod.target.host).toBe('db.example.com');
    expect(prod.target.display).not.toContain('s3cret');
    expect(resolveProfile(loaded.config, undefined, e).role).toBe('scratch');

    const shown = JSON.stringify(describeConfig(loaded));
    expect(shown).toContain('"origin":"env"');
    expect(shown).not.toContain('s3cret');
  });

  it('names file:line:column and the key of an invalid value', async () => {
    const cwd = dir(`targets:\n  prod:\n    urlEnv: PROD_URL\n    role: live\n`);
    await expect(loadConfig({ cwd, env: env() })).rejects.toThrow(/pgdr\.config\.yaml:4:5: targets\.prod\.role/);
    const typo = dir(`repository:\n  url: /x\n  regoin: eu\n`);
    await expect(loadConfig({ cwd: typo, env: env() })).rejects.toThrow(/:3:3: repository: .*regoin/);
  });

  it('rejects a password written into a URL and a webhook URL, with a hint to use an env var', async () => {
    const cwd = dir(`targets:\n  prod:\n    url: postgres://app:hunter22@db/app\n    role: production\n`);
    const error = (await loadConfig({ cwd, env: env() }).then(
      () => ({}),
      (e: unknown) => e,
    )) as { message: string; hint: string };
    expect(error.message).toMatch(/:3:5: targets\.prod\.url contains a password/);
    expect(error.message).not.toContain('hunter22');
    expect(error.hint).toMatch(/urlEnv/);
    const hook = dir(`notifications:\n  slack:\n    webhookUrlEnv: https://hooks.slack.com/services/T0/B0/xyz\n`);
    await expect(loadConfig({ cwd: hook, env: env() })).rejects.toThrow(/webhook URL/);
  });

  it('warns when the file is readable by others', async () => {
    const cwd = dir('repository:\n  url: /srv/b\n');
    chmodSync(join(cwd, 'pgdr.config.yaml'), 0o644);
    const loaded = await loadConfig({ cwd, env: env() });
    expect(loaded.warnings.join('\n')).toMatch(/chmod 600/);
  });

  it('uses --config / PGDR_CONFIG and says when that file is missing', async () => {
    const other = dir('repository:\n  url: /from/env-config\n');
    const loaded = await loadConfig({ cwd: dir(), env: env({ PGDR_CONFIG: join(other, 'pgdr.config.yaml') }) });
    expect(loaded.config.repository?.url).toBe('/from/env-config');
    await expect(loadConfig({ cwd: dir(), configPath: 'nope.yaml', env: env() })).rejects.toThrow(/does not exist/);
  });
});

describe('templates/pgdr.config.example.yaml', () => {
  it('is a valid config with no literal secrets', async () => {
    const loaded = await loadConfig({
      configPath: join(import.meta.dirname, '../../templates/pgdr.config.example.yaml'),
      env: env(),
    });
    expect(loaded.config.targets.production?.urlEnv).toBe('DATABASE_URL');
    expect(loaded.warnings.filter((w) => !w.includes('readable by other users'))).toEqual([]);
  });
});
