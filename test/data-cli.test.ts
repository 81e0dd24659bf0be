import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPgdr } from './helpers/cli.js';
import { useCluster, psql, createDatabase } from './helpers/cluster.js';
import type { LocalCluster } from '../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let work: string;
let env: Record<string, string>;

const pgdr = (...args: string[]) => runPgdr(args, { cwd: work, env });

beforeAll(async () => {
  cluster = await useCluster();
  await createDatabase(cluster, 'shop');
  await psql(
    cluster,
    'shop',
    `
    create table customers (id int primary key, email text not null, name text);
    insert into customers select g, 'c' || g || '@example.com', 'Customer ' || g from generate_series(1, 50) g;
    create table customers_restore (like customers including all);`,
  );
  work = mkdtempSync(join(tmpdir(), 'pgdr-data-cli-'));
  env = { DATABASE_URL: cluster.urlFor('shop'), PGDR_HOME: join(work, 'home'), PGDR_CONFIG: '' };
});

describe('pgdr export / import / audit', () => {
  it('exports a table to CSV with anonymized emails, imports it back, and records both in the audit log', async () => {
    const exported = await pgdr(
      'export',
      '--table',
      'customers',
      '--where',
      'id <= 10',
      '--format',
      'csv',
      '--anonymize',
      'email=email',
      '--out',
      'c.csv',
    );
    expect(exported.stderr).toContain('Exported 10 rows of public.customers');
    expect(exported.code).toBe(0);
    const csv = readFileSync(join(work, 'c.csv'), 'utf8');
    expect(csv.split('\n')[1]).toMatch(/^1,user-[0-9a-f]{10}@example\.invalid,Customer 1$/);

    const refused = await pgdr('import', 'c.csv', '--table', 'customers_restore', '--truncate');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not marked scratch[\s\S]*--confirm shop/);

    const done = await pgdr(
      'import',
      'c.csv',
      '--table',
      'customers_restore',
      '--truncate',
      '--confirm',
      'shop',
      '--json',
    );
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ inserted: 10, committed: true, truncated: true });

    const audit = await pgdr('audit', '--json');
    const entries = JSON.parse(audit.stdout) as { command: string; result: string; target: string }[];
    expect(entries.map((e) => `${e.command}:${e.result}`)).toEqual(['export:ok', 'import:ok']);
    expect(entries[0]!.target).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/shop$/);
    expect(JSON.stringify(entries)).not.toContain(cluster.password);
  });

  it('says what is wrong with a file before writing, and leaves no partial export behind', async () => {
    writeFileSync(join(work, 'bad.json'), JSON.stringify([{ id: 100, email: 'x@y', nickname: 'z' }]));
    const bad = await pgdr('import', 'bad.json', '--table', 'customers');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /nickname is not a column of public\.customers[\s\S]*hint:.*Its columns: id, email, name/,
    );
    const failed = await pgdr(
      'export',
      '--table',
      'customers',
      '--where',
      'no_such_column > 1',
      '--out',
      'partial.json',
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/no_such_column/);
    expect(existsSync(join(work, 'partial.json'))).toBe(false);
  });
});
