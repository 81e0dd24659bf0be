import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { psql, useClusterWith } from '../helpers/cluster.js';
import { runPgdr, type CliResult } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let work: string;
let server: Server;
let base: string;
const requests: { url: string; headers: Record<string, unknown>; body: string }[] = [];

/** What users typed into the application: every row an attack on whatever splices it into code. */
const rows = (dir: string) => ({
  1: `hello; touch ${dir}/pwned-shell`,
  2: `x'; touch ${dir}/pwned-quoted; echo '`,
  3: '1; commit; create table public.pwned(x int); select 1',
  4: '../../admin?role=owner&x=1',
  5: 'ok\r\nX-Evil: 1',
  6: '", "enabled": true, "x": "',
});

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pgdr-inject-'));
  const values = Object.entries(rows(work))
    .map(([id, body]) => `(${id}, '${body.replace(/'/g, "''")}')`)
    .join(', ');
  cluster = await useClusterWith(
    'app',
    `create table notes (id int primary key, body text); insert into notes values ${values};`,
  );
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

/** A step reading note `id` into steps.<stepId>.outputs.value: database content, as a runbook would fetch it. */
const readNote = (stepId: string, id: keyof ReturnType<typeof rows>) =>
  `      - { id: ${stepId}, title: Read note ${id}, action: sql.check, with: { target: primary, query: "select body from notes where id = ${id}", equals: ${JSON.stringify(rows(work)[id])} } }\n`;

async function runbook(
  name: string,
  steps: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult & { journal: string }> {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `id: ${name}\ntitle: Injection\nseverity: low\nrto: 10m\nrpo: 1h\nphases:\n  - id: p\n    title: P\n    steps:\n${steps}`,
  );
  const runsDir = join(work, `runs-${name}`);
  const r = await runPgdr(
    ['run', file, '--plain', '--yes', '--db', cluster.urlFor('app'), '--runs-dir', runsDir, ...extra],
    { env, cwd: work },
  );
  const journal = existsSync(runsDir)
    ? (readdirSync(runsDir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.jsonl') || f.endsWith('.md') || f.endsWith('.json'))
        .map((f) => readFileSync(join(runsDir, f), 'utf8'))
        .join('\n')
    : '';
  return { ...r, journal };
}

const pwned = () => readdirSync(work).filter((f) => f.startsWith('pwned'));

describe('template injection: shell', () => {
  it('refuses ${{ }} inside a shell command, quoted or not, and says which variable to use instead', async () => {
    for (const [name, command] of [
      ['bare', 'echo row=${{ steps.q.outputs.value }}'],
      ['quoted', "echo 'row=${{ steps.q.outputs.value }}'"],
    ]) {
      const r = await runbook(
        `shell-${name}`,
        readNote('q', name === 'bare' ? 1 : 2) +
          `      - { id: hook, title: Hook, action: shell, with: { command: ${JSON.stringify(command)} } }\n`,
      );
      expect(pwned()).toEqual([]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain('with.command never contains ${{ }}');
      expect(r.stderr).toContain('"$PGDR_OUT_Q_VALUE" for ${{ steps.q.outputs.value }}');
    }
  });

  it('hands a step’s outputs and the inputs to the command as environment variables, where they stay text', async () => {
    const r = await runbook(
      'shell-env',
      readNote('q', 1) +
        readNote('q2', 2) +
        `      - { id: hook, title: Hook, action: shell, with: { command: 'echo "row=$PGDR_OUT_Q_VALUE"; echo "quoted=$PGDR_OUT_Q2_VALUE"; echo "extra=$EXTRA"', env: { EXTRA: "\${{ steps.q.outputs.value }}" } } }\n`,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(pwned()).toEqual([]);
    expect(r.stdout).toContain(`row=${rows(work)[1]}`);
    expect(r.stdout).toContain(`quoted=${rows(work)[2]}`);
    expect(r.stdout).toContain(`extra=${rows(work)[1]}`);
  });
});

describe('template injection: SQL', () => {
  const tables = async () =>
    (await psql(cluster, 'app', "select count(*) from pg_tables where tablename = 'pwned'")).trim();

  it('passes values as bind parameters: a row holding statements is compared, never run', async () => {
    const spliced = await runbook(
      'sql-select',
      readNote('q', 3) +
        `      - { id: inj, title: Inject, action: sql.check, with: { target: primary, query: "select \${{ steps.q.outputs.value }}", equals: 1 } }\n`,
    );
    expect(await tables()).toBe('0');
    expect(spliced.code).toBe(1);
    expect(spliced.stdout).toContain(`FAILED: expected 1, got ${rows(work)[3]}`);
    expect(spliced.stdout + spliced.stderr).not.toMatch(/Cannot read properties/);

    const bound = await runbook(
      'sql-bound',
      readNote('q', 3) +
        `      - { id: inj, title: Compare, action: sql.check, with: { target: primary, query: "select count(*) from notes where body = \${{ steps.q.outputs.value }}", equals: 1 } }\n`,
    );
    expect(await tables()).toBe('0');
    expect(bound.code, bound.stdout + bound.stderr).toBe(0);
    expect(bound.stdout).toContain('passed: = 1');
  });

  it('refuses a template inside SQL quotes when the runbook loads, and more than one statement when it runs', async () => {
    const quoted = await runbook(
      'sql-quoted',
      readNote('q', 3) +
        `      - { id: inj, title: Inject, action: sql.check, with: { target: primary, query: "select count(*) from notes where body = '\${{ steps.q.outputs.value }}'", equals: 1 } }\n`,
    );
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toContain('is inside quotes or a comment; write it bare');
    const two = await runbook(
      'sql-two',
      `      - { id: two, title: Two, action: sql.check, with: { target: primary, query: "select 1; create table public.pwned(x int)", equals: 1 } }\n`,
    );
    expect(await tables()).toBe('0');
    expect(two.code).toBe(1);
    expect(two.stdout + two.stderr).toContain('sql.check runs exactly one SQL statement');
  });
});

describe('template injection: http', () => {
  it('percent-encodes a value inside a URL, refuses a control character in a header and a template spliced into a text body', async () => {
    requests.length = 0;
    const url = await runbook(
      'http-url',
      readNote('q', 4) +
        `      - { id: call, title: Call, action: http.request, with: { method: GET, url: "${base}/notes/\${{ steps.q.outputs.value }}" } }\n`,
    );
    expect(url.code, url.stdout + url.stderr).toBe(0);
    expect(requests.map((r) => r.url)).toEqual([`/notes/${encodeURIComponent(rows(work)[4])}`]);

    const header = await runbook(
      'http-header',
      readNote('q', 5) +
        `      - { id: call, title: Call, action: http.request, with: { url: "${base}/h", headers: { X-Note: "\${{ steps.q.outputs.value }}" } } }\n`,
    );
    expect(header.code).toBe(1);
    expect(header.stdout + header.stderr).toContain(
      'Header X-Note holds a control character; the request was not sent',
    );

    const body = await runbook(
      'http-body',
      readNote('q', 6) +
        `      - { id: call, title: Call, action: http.request, with: { url: "${base}/b", body: '{"note": "\${{ steps.q.outputs.value }}", "enabled": false}' } }\n`,
    );
    expect(body.code).toBe(2);
    expect(body.stderr).toContain('with.body takes ${{ }} only as its whole value');

    const mapping = await runbook(
      'http-mapping',
      readNote('q', 6) +
        `      - { id: call, title: Call, action: http.request, with: { url: "${base}/m", body: { note: "\${{ steps.q.outputs.value }}", enabled: false } } }\n`,
    );
    expect(mapping.code, mapping.stdout + mapping.stderr).toBe(0);
    expect(JSON.parse(requests.at(-1)!.body)).toEqual({ note: rows(work)[6], enabled: false });
    expect(requests.map((r) => r.url)).toEqual([`/notes/${encodeURIComponent(rows(work)[4])}`, '/m']);
  });
});

describe('secrets a hook can see', () => {
  it('keeps PGPASSWORD, a webhook URL and a passphrase out of the journal, stdout and the webhook body', async () => {
    const password = cluster.password;
    const hookToken = `tok${randomBytes(8).toString('hex')}`;
    const passphrase = `pass-${randomBytes(8).toString('hex')}`;
    const config = join(work, 'pgdr.config.yaml');
    writeFileSync(config, `notifications:\n  webhook: { urlEnv: HOOK_URL }\n  on: [run.finished]\n`, { mode: 0o600 });
    const port = cluster.target('app').port;
    const r = await runPgdrRun(password, hookToken, passphrase, config, port!);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const received = requests
      .filter((q) => q.url.startsWith(`/${hookToken}`))
      .map((q) => q.body)
      .join('\n');
    expect(received).toContain('hook said');
    for (const secret of [password, hookToken, passphrase]) {
      expect(r.journal).not.toContain(secret);
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(received).not.toContain(secret);
    }
  });
});

async function runPgdrRun(password: string, hookToken: string, passphrase: string, config: string, port: number) {
  const file = join(work, 'secrets.yaml');
  writeFileSync(
    file,
    `id: secrets\ntitle: Secrets\nseverity: low\nrto: 10m\nrpo: 1h\nphases:\n  - id: p\n    title: P\n    steps:\n` +
      `      - { id: hook, title: Hook, action: shell, with: { command: 'echo "pw=$PGPASSWORD hook=$HOOK_URL pass=$BACKUP_PASSPHRASE"' } }\n` +
      `      - { id: ping, title: Ping, action: pg.ping, with: { target: primary } }\n` +
      `      - { id: tell, title: Tell, action: notify, with: { message: "hook said \${{ steps.hook.outputs.stdout }}" } }\n`,
  );
  const runsDir = join(work, 'runs-secrets');
  const r = await runPgdr(
    [
      'run',
      file,
      '--plain',
      '--yes',
      '--db',
      `postgres://postgres@127.0.0.1:${port}/app`,
      '--runs-dir',
      runsDir,
      '--config',
      config,
    ],
    {
      cwd: work,
      env: { PGPASSWORD: password, HOOK_URL: `${base}/${hookToken}/notify`, BACKUP_PASSPHRASE: passphrase },
    },
  );
  const journal = (readdirSync(runsDir, { recursive: true }) as string[])
    .filter((f) => /\.(jsonl|md|json|html)$/.test(f))
    .map((f) => readFileSync(join(runsDir, f), 'utf8'))
    .join('\n');
  return { ...r, journal };
}
