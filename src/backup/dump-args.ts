import type { BackupKind, DumpFormat } from './manifest.js';
import type { CompressionChoice } from './compression.js';
import { qualified, type TableRef } from './snapshot.js';

export interface DumpArgsInput {
  kind: BackupKind;
  format: DumpFormat;
  snapshot: string;
  compression: CompressionChoice;
  tables: TableRef[];
  excludedSchemas: readonly string[];
  jobs?: number;
  /** Directory format only: where pg_dump writes. */
  outDir?: string;
}

/** pg_dump's argv. Connection settings (and the password) travel in the environment, never here. */
export function pgDumpArgs(input: DumpArgsInput): string[] {
  const args = ['--no-password', '--verbose', `--snapshot=${input.snapshot}`];
  if (input.format === 'custom') {
    args.push('--format=custom', `--compress=${input.compression.method === 'gzip' ? input.compression.level : 0}`);
  } else {
    args.push(
      '--format=directory',
      `--jobs=${input.jobs ?? 2}`,
      `--compress=${input.compression.method === 'none' ? 0 : input.compression.level}`,
      `--file=${input.outDir}`,
    );
  }
  if (input.kind === 'schema') args.push('--schema-only');
  if (input.kind === 'tables') for (const t of input.tables) args.push(`--table=${qualified(t)}`);
  for (const schema of input.excludedSchemas) args.push(`--exclude-schema=${schema}`);
  return args;
}
