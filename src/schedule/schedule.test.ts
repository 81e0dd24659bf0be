import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPgdr } from '../../test/helpers/cli.js';
import { configSchema } from '../config/schema.js';
import { cronToOnCalendar } from './on-calendar.js';
import { renderCron, renderSystemd } from './render.js';

const options = {
  pgdrBin: '/usr/local/bin/pgdr',
  configPath: '/etc/pgdr/pgdr.config.yaml',
  profile: 'prod',
  user: 'pgdr',
  envFile: '/etc/pgdr/pgdr.env',
  workingDirectory: '/etc/pgdr',
  logFile: '/var/log/pgdr.log',
};

describe('schedule', () => {
  it('translates cron expressions to systemd OnCalendar', () => {
    expect(cronToOnCalendar('0 2 * * *')).toBe('*-*-* 02:00:00 UTC');
    expect(cronToOnCalendar('0 3 * * 0')).toBe('Sun *-*-* 03:00:00 UTC');
    expect(cronToOnCalendar('*/15 * * * 1-5')).toBe('Mon..Fri *-*-* *:0/15:00 UTC');
    expect(cronToOnCalendar('30 1 1,15 * *')).toBe('*-*-1,15 01:30:00 UTC');
    expect(() => cronToOnCalendar('@daily')).toThrow(/5-field/);
  });

  it('renders the seeds’ schedule into a cron.d file, adapted to the config', () => {
    const config = configSchema.parse({ schedules: { verify: 'off', full: '30 1 * * *' } });
    const { path, content } = renderCron(config, options);
    expect(path).toBe('/etc/cron.d/pgdr');
    expect(content).toContain('PGDR_CONFIG=/etc/pgdr/pgdr.config.yaml');
    expect(content).toMatch(
      /^30 1 \* \* \* pgdr .*\/usr\/local\/bin\/pgdr backup --profile prod >> \/var\/log\/pgdr\.log 2>&1$/m,
    );
    expect(content).toMatch(/^0 3 \* \* 0 pgdr .*backup schema --profile prod/m);
    expect(content).toMatch(/^0 4 \* \* \* pgdr .*prune >> /m);
    expect(content).toMatch(/^15 \* \* \* \* pgdr .*doctor --profile prod/m);
    expect(content).not.toContain('backup verify');
    const withScratch = configSchema.parse({ targets: { scratch: { urlEnv: 'SCRATCH_URL', role: 'scratch' } } });
    expect(renderCron(withScratch, options).content).toMatch(
      /backup verify latest --restore-test --scratch-db "\$SCRATCH_URL" >>/,
    );
    expect(renderCron(configSchema.parse({}), options).content).toMatch(/backup verify latest >>/);
    expect(renderSystemd(withScratch, options).find((f) => f.path.endsWith('pgdr-verify.service'))!.content).toContain(
      '--scratch-db ${SCRATCH_URL}',
    );
    expect(content).not.toMatch(/\{\{/);
  });

  it('with a pgBackRest stanza and exports: the plans’ rhythm — physical full nightly, incremental every 6 h, WAL continuous, the weekly export', () => {
    const config = configSchema.parse({
      pgbackrest: { stanza: 'main', configPath: '/etc/pgbackrest/pgbackrest.conf' },
      exports: { weekly: { tables: ['public.users', 'public.exams'], keepWeeks: 12 } },
    });
    const cron = renderCron(config, options).content;
    expect(cron).toMatch(
      /^0 \*\/6 \* \* \* pgdr .*\/usr\/local\/bin\/pgdr backup incremental --pgbackrest-stanza main --pgbackrest-config \/etc\/pgbackrest\/pgbackrest\.conf >> /m,
    );
    expect(cron).toMatch(/^0 1 \* \* \* pgdr .*pgdr backup full --pgbackrest-stanza main /m);
    expect(cron).toMatch(/^0 1 \* \* 0 pgdr .*pgdr exports run weekly >> /m);
    expect(cron).toContain("# WAL: archived continuously by PostgreSQL's archive_command into stanza main");
    expect(cron).not.toContain('backup differential');
    const units = renderSystemd(config, options);
    expect(units.find((f) => f.path.endsWith('pgdr-incremental.timer'))!.content).toContain(
      'OnCalendar=*-*-* 0/6:00:00 UTC',
    );
    expect(units.find((f) => f.path.endsWith('pgdr-export-weekly.service'))!.content).toContain(
      'ExecStart=/usr/local/bin/pgdr exports run weekly',
    );
    const plain = renderCron(configSchema.parse({}), options).content;
    expect(plain).not.toMatch(/incremental|pgbackrest|exports run/);
  });

  it('the README’s rhythm: its config prints the README’s schedule --dry-run, and the shipped template asks for the same', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = (marker: string) =>
      new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)![1]!;
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-rhythm-'));
    writeFileSync(join(cwd, 'pgdr.config.yaml'), block('rhythm-config') + '\n', { mode: 0o600 });
    const env = { PGDR_HOME: join(cwd, 'home'), PGDR_CONFIG: '' };
    const printed = await runPgdr(['schedule', '--dry-run'], { cwd, env });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.trimEnd()).toBe(block('rhythm-dry-run'));
    const template = join(import.meta.dirname, '../../templates/pgdr.config.example.yaml');
    const shipped = await runPgdr(['schedule', '--dry-run', '--config', template], { cwd, env });
    expect(shipped.stdout).toBe(printed.stdout);
    expect(printed.stdout).toMatch(
      /^ {2}0 \*\/6 \* \* \* +every 6 h at :00 +incremental +pgdr backup incremental --pgbackrest-stanza main$/m,
    );
    expect(printed.stdout).toMatch(/^ {2}0 1 \* \* 0 +Sundays 01:00 +export-weekly +pgdr exports run weekly$/m);
  });

  it('renders one service and one timer per job', () => {
    const files = renderSystemd(configSchema.parse({}), options);
    expect(files.map((f) => f.path)).toContain('/etc/systemd/system/pgdr-full.timer');
    expect(files).toHaveLength(10);
    const timer = files.find((f) => f.path.endsWith('pgdr-schema.timer'))!.content;
    expect(timer).toContain('OnCalendar=Sun *-*-* 03:00:00 UTC');
    expect(timer).toContain('Unit=pgdr-schema.service');
    const service = files.find((f) => f.path.endsWith('pgdr-full.service'))!.content;
    expect(service).toContain('ExecStart=/usr/local/bin/pgdr backup --profile prod');
    expect(service).toContain('EnvironmentFile=-/etc/pgdr/pgdr.env');
    expect(service).toContain('User=pgdr');
  });

  it('pgdr schedule --install --root writes the files; --dry-run writes nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-schedule-'));
    writeFileSync(
      join(cwd, 'pgdr.config.yaml'),
      'targets:\n  prod:\n    urlEnv: DATABASE_URL\n    role: production\nrepository:\n  url: /srv/pgdr\n',
    );
    chmodSync(join(cwd, 'pgdr.config.yaml'), 0o600);
    const root = join(cwd, 'root');
    const env = { PGDR_HOME: join(cwd, 'home'), PGDR_CONFIG: '' };
    const dry = (
      await runPgdr(['schedule', '--systemd', '--install', '--dry-run', '--root', root, '--profile', 'prod'], {
        cwd,
        env,
      })
    ).stdout;
    expect(dry).toContain(`${root}/etc/systemd/system/pgdr-full.timer`);
    expect(existsSync(root)).toBe(false);
    const out = (await runPgdr(['schedule', '--cron', '--install', '--root', root, '--user', 'pgdr'], { cwd, env }))
      .stdout;
    expect(out).toContain(`wrote ${root}/etc/cron.d/pgdr`);
    const cron = readFileSync(join(root, 'etc/cron.d/pgdr'), 'utf8');
    expect(cron).toContain(`PGDR_CONFIG=${cwd}/pgdr.config.yaml`);
    expect(cron).toMatch(/bin\/pgdr\.mjs backup >> \/var\/log\/pgdr\.log/);
    expect(statSync(join(root, 'etc/cron.d/pgdr')).mode & 0o777).toBe(0o644);
    expect((await runPgdr(['schedule', '--systemd', '--install', '--root', root], { cwd, env })).code).toBe(0);
    expect(readdirSync(join(root, 'etc/systemd/system')).sort()).toContain('pgdr-doctor.timer');
  });
});
