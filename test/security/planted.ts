import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runPgdr, type CliResult } from '../helpers/cli.js';
import type { S3Emulator } from '../helpers/s3.js';

/** A repository an attacker can write into: plant objects in it and read what is there, local or on S3. */
export interface PlantedRepository {
  name: 'local' | 's3';
  /** What `--repo` gets. */
  repo: string;
  put(key: string, body: string | Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  keys(prefix?: string): Promise<string[]>;
  pgdr(args: string[], env?: Record<string, string>): Promise<CliResult>;
}

export function localRepository(dir: string): PlantedRepository {
  return {
    name: 'local',
    repo: dir,
    async put(key, body) {
      mkdirSync(dirname(join(dir, key)), { recursive: true });
      writeFileSync(join(dir, key), body);
    },
    async get(key) {
      return existsSync(join(dir, key)) ? readFileSync(join(dir, key)) : undefined;
    },
    async keys(prefix = '') {
      if (!existsSync(dir)) return [];
      return (readdirSync(dir, { recursive: true }) as string[])
        .filter((k) => !lstatSync(join(dir, k)).isDirectory() && k.startsWith(prefix))
        .sort();
    },
    pgdr: (args, env) => runPgdr([...args, '--repo', dir], { env }),
  };
}

export function s3Repository(s3: S3Emulator, prefix: string): PlantedRepository {
  const client = s3.client();
  return {
    name: 's3',
    repo: `s3://${s3.bucket}/${prefix}`,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}`, Body: body }));
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}` }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch {
        return undefined;
      }
    },
    async keys(sub = '') {
      const out = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/${sub}` }));
      return (out.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
    },
    pgdr: (args, env) => runPgdr([...args, '--repo', `s3://${s3.bucket}/${prefix}`], { env: { ...s3.env, ...env } }),
  };
}

/** Every file under dir with its bytes (links as "-> target"): compared before and after to prove nothing changed. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const info = lstatSync(path);
    if (info.isSymbolicLink()) out[name] = `-> ${readlinkSync(path)}`;
    else if (info.isFile()) out[name] = readFileSync(path).toString('base64');
    else if (info.isDirectory()) out[`${name}/`] = '';
  }
  return out;
}

/** The ids pgdr will give backups of `database` over the next `seconds` seconds: predictable, so plantable. */
export function upcomingIds(seconds: number, database = 'app'): string[] {
  const now = Date.now();
  return Array.from({ length: seconds }, (_, s) => idAt(new Date(now + s * 1000), 'full', database));
}

/** A backup id at `at`, as pgdr names them. */
export function idAt(at: Date, kind: string, database: string): string {
  return `${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}-${kind}-${database}`;
}
