import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { pgdrCommand, runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { startSupabaseApi, type FakeSupabaseApi } from '../helpers/supabase-api.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { backupRestoreRunbook } from './backup-restore-runbook.js';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';

let cluster: LocalCluster;
let s3: S3Emulator;
let supabase: FakeSupabaseApi;
let hook: Server;
let hookUrl: string;
const received: string[] = [];
const checked = (what: string) => process.stdout.write(`  fault suite ✔ ${what}\n`);
const secret = (label: string) => `${label}${randomBytes(9).toString('hex')}`;

const SECRETS = {
  dbPassword: secret('Pw-db-'),
  s3Secret: secret('s3-secret-'),
  supabaseToken: secret('sbp_'),
  webhookToken: secret('hooktoken'),
};
const REF = 'secretsecretsecretse';

const RUNBOOK = backupRestoreRunbook('secrets-drill', { notify: 'Secrets drill', verify: true });

/** The command line of every process descended from `root`, polled from /proc while it runs. */
function watchCommandLines(root: number): { lines: Set<string>; stop: () => void } {
  const lines = new Set<string>();
  const poll = () => {
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // Gone already.
      }
    }
    const ours = (pid: number): boolean => {
      for (let p: number | undefined = pid, hops = 0; p && hops < 50; p = parents.get(p), hops++)
        if (p === root) return true;
      return false;
    };
    for (const pid of parents.keys()) {
      if (!ours(pid)) continue;
      try {
        lines.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
      } catch {
        // Gone already.
      }
    }
  };
  const timer = setInterval(poll, 15);
  return { lines, stop: () => clearInterval(timer) };
}

/** pgdr with the secrets only in its environment; returns what it printed and every command line it ran. */
function pgdr(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; cmdlines: string[] }> {
  const child = spawn(process.execPath, [...pgdrCommand(), ...args], {
    cwd,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchCommandLines(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      watch.stop();
      resolve({ code, stdout, stderr, cmdlines: [...watch.lines] });
    }),
  );
}

/** Every file under dir, as [path, text]. */
function filesUnder(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'latin1')]);
}

/** The repository's objects in the S3 emulator (manifests, checksums, the dump), as text. */
async function s3ObjectsText(prefix: string): Promise<[string, string][]> {
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return await Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const body = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
      return [Key!, Buffer.from(await body.Body!.transformToByteArray()).toString('latin1')] as [string, string];
    }),
  );
}

function leaks(where: string, text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, value]) =>
    text.includes(value) || text.includes(encodeURIComponent(value)) ? [`${name} in ${where}`] : [],
  );
}

describe('fault suite: secrets never leave pgdr', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    await psql(
      cluster,
      'app',
      `create role dr_operator login superuser password '${SECRETS.dbPassword}';
      create table customers (id int primary key, email text); insert into customers select g, 'c' || g || '@example.com' from generate_series(1, 500) g;`,
    );
    s3 = await startS3();
    supabase = await startSupabaseApi({
      ref: REF,
      token: SECRETS.supabaseToken,
      earliest: Math.floor(Date.now() / 1000) - 86400,
      latest: Math.floor(Date.now() / 1000),
    });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(`${req.url} ${body}`);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hooks/${SECRETS.webhookToken}?token=${SECRETS.webhookToken}`;
  });
  afterAll(async () => {
    await s3?.stop();
    await supabase?.close();
    hook?.close();
  });

  it('a drill with a backup to S3, a restore and notifications, then doctor and the Supabase API: no secret anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-secrets-'));
    chmodSync(dir, 0o755);
    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const server = `dr_operator@127.0.0.1:${cluster.port}`;
    writeFileSync(
      join(dir, 'pgdr.config.yaml'),
      `targets:
  prod: { urlEnv: APP_DATABASE_URL, passwordEnv: APP_DB_PASSWORD, role: production }
  scratch: { urlEnv: SCRATCH_DATABASE_URL, passwordEnv: APP_DB_PASSWORD, role: scratch }
defaultTarget: prod
repository: { url: "s3://${s3.bucket}/secrets" }
notifications:
  webhook: { urlEnv: PGDR_WEBHOOK_URL }
  on: [run.started, run.finished, backup.failed, doctor.critical]
`,
      { mode: 0o600 },
    );
    const env = {
      ...s3.env,
      AWS_SECRET_ACCESS_KEY: SECRETS.s3Secret,
      APP_DATABASE_URL: `postgres://${server}/app`,
      SCRATCH_DATABASE_URL: `postgres://${server}/app_scratch`,
      APP_DB_PASSWORD: SECRETS.dbPassword,
      SUPABASE_ACCESS_TOKEN: SECRETS.supabaseToken,
      SUPABASE_API_URL: supabase.url,
      PGDR_WEBHOOK_URL: hookUrl,
      PGDR_HOME: home,
      PGDR_CONFIG: '',
      PGPASSWORD: '',
    };
    const drill = await pgdr(['drill', 'rb.yaml', '--plain', '--yes', '--runs-dir', 'runs'], dir, env);
    expect(drill.code, drill.stderr + drill.stdout).toBe(0);
    const doctor = await pgdr(['doctor', '--json'], dir, env);
    expect(doctor.stdout, doctor.stderr).toContain('"status"');
    const platform = await pgdr(['backups', 'list', '--supabase-project', REF], dir, env);
    expect(platform.code, platform.stderr).toBe(0);
    const local = await pgdr(['backup', '--repo', join(dir, 'local-repo')], dir, env);
    expect(local.code, local.stderr).toBe(0);

    expect(
      received.some((r) => r.includes('Secrets drill started')),
      'the webhook was called',
    ).toBe(true);
    const runs = join(dir, 'runs');
    const written = [...filesUnder(runs), ...filesUnder(home), ...filesUnder(join(dir, 'local-repo'))];
    expect(written.some(([p]) => p.endsWith('journal.jsonl'))).toBe(true);
    expect(written.some(([p]) => p.endsWith('report.html'))).toBe(true);
    expect(written.some(([p]) => p.endsWith('audit.jsonl'))).toBe(true);
    const cmdlines = [drill, doctor, platform, local].flatMap((r) => r.cmdlines);
    expect(cmdlines.some((c) => c.includes('pg_dump'))).toBe(true);
    expect(cmdlines.some((c) => c.includes('pg_restore'))).toBe(true);
    const objects = await s3ObjectsText('secrets/');
    expect(objects.some(([key]) => key.endsWith('manifest.json'))).toBe(true);
    const found = [
      ...objects.flatMap(([key, text]) => leaks(`s3 object ${key}`, text)),
      ...[drill, doctor, platform, local].flatMap((r, i) => [
        ...leaks(`stdout of command ${i}`, r.stdout),
        ...leaks(`stderr of command ${i}`, r.stderr),
      ]),
      ...written.flatMap(([path, text]) => leaks(path, text)),
      ...cmdlines.flatMap((c) => leaks(`command line "${c.slice(0, 80)}"`, c)),
    ];
    expect(found).toEqual([]);
    checked(
      `secrets: none in stdout/stderr, ${written.length} files written (journal, reports, audit log, backup), ${objects.length} S3 objects, ${cmdlines.length} child command lines`,
    );

    const loose = written
      .filter(([path]) => (statSync(path).mode & 0o077) !== 0)
      .map(([path]) => `${path} ${(statSync(path).mode & 0o777).toString(8)}`);
    expect(loose).toEqual([]);
    const dirs = [join(runs, readdirSync(runs)[0]!), join(dir, 'local-repo'), join(dir, 'local-repo', 'backups')];
    expect(dirs.map((d) => `${d} ${(statSync(d).mode & 0o777).toString(8)}`)).toEqual(dirs.map((d) => `${d} 700`));
    checked('journals, reports, audit log and backups are 0600 in 0700 directories');
  });

  it('a config file with a literal secret or loose permissions is warned about', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-secrets-config-'));
    const config = join(dir, 'pgdr.config.yaml');
    writeFileSync(
      config,
      `targets:\n  prod: { url: "postgres://dr_operator@127.0.0.1:${cluster.port}/app", role: production }\n`,
      { mode: 0o644 },
    );
    chmodSync(config, 0o644);
    const loose = await runPgdr(['config', 'show'], {
      cwd: dir,
      env: { PGDR_HOME: join(dir, 'home'), PGDR_CONFIG: '' },
    });
    expect(loose.stderr).toMatch(/readable by other users.*chmod 600/);

    writeFileSync(
      config,
      `targets:\n  prod: { url: "postgres://dr_operator:${SECRETS.dbPassword}@127.0.0.1:${cluster.port}/app", role: production }\n`,
      { mode: 0o600 },
    );
    chmodSync(config, 0o600);
    const literal = await runPgdr(['config', 'show'], {
      cwd: dir,
      env: { PGDR_HOME: join(dir, 'home'), PGDR_CONFIG: '' },
    });
    expect(literal.code).not.toBe(0);
    expect(literal.stderr).toMatch(/password or token in a URL/);
    expect(literal.stderr + literal.stdout).not.toContain(SECRETS.dbPassword);
    checked(
      'config: loose permissions warned with the chmod to run; a password written into a URL refused without echoing it',
    );
  });
});
