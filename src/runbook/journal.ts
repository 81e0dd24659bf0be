import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
  chmodSync,
  existsSync,
  truncateSync,
} from 'node:fs';
import { join } from 'node:path';
import { redactedJson } from '../core/secrets.js';
import { PgdrError, UsageError } from '../core/errors.js';
import type { RunEvent } from './events.js';
import type { RunMode, TargetOrigin } from '../actions/registry.js';
import type { ServiceRecipe } from '../actions/run-services.js';

/** Written once when a run is created: what resume needs to rebuild it. Never holds secret inputs. */
export interface RunMetaRecord {
  type: 'run.meta';
  at: number;
  runId: string;
  runbookId: string;
  runbookFile: string;
  mode: RunMode;
  /** The operator's account: user@host. */
  operator: string;
  /** The name the operator gave for the record (asked once, remembered). */
  operatorName?: string;
  /** Non-secret inputs as given or defaulted; secret ones are asked again on resume. */
  inputs: Record<string, unknown>;
  secretInputs: string[];
  /** Each target without its secrets: a resume builds them again from these (and asks only for what it cannot find). */
  targets: ({ name: string; display: string; production: boolean } & TargetOrigin)[];
  /** How the command line built the run's repository, keys and notifications (paths, URLs, variable names). */
  services?: ServiceRecipe;
}

/** The process stopped taking steps (SIGHUP, SIGTERM) without aborting: the run can be resumed. */
export interface RunSuspendedRecord {
  type: 'run.suspended';
  at: number;
  reason: string;
  stepId?: string;
}

/** The action that ran a step, so the report and resume know it without re-reading the runbook. */
export interface StepActionRecord {
  type: 'step.action';
  at: number;
  stepId: string;
  action: string;
  validation: boolean;
}

export type { RunSignedRecord } from './events.js';

export type JournalRecord = RunEvent | RunMetaRecord | RunSuspendedRecord | StepActionRecord;

/** What the first line of a journal chains to. */
export const CHAIN_START = createHash('sha256').update('').digest('hex');

export const lineHash = (line: string): string => createHash('sha256').update(line).digest('hex');

export const JOURNAL_FILE = 'journal.jsonl';

/**
 * What a step says while it runs, not a transition: written at once (a killed pgdr loses none of it) and fsynced with
 * the next transition. Fsyncing each of pg_restore's --verbose lines blocked the event loop that reads them while the
 * server wrote the restore to the same disk, and stalled the restore behind them.
 */
const DURABLE_WITH_THE_NEXT = new Set<JournalRecord['type']>(['log', 'task.updated']);

/**
 * One JSON line per transition, each fsynced before the engine moves on, so a kill -9 or a dropped SSH session
 * loses at most the line being written. Every record is redacted before it is serialised, and carries in `prev` the
 * sha256 of the line before it: a line changed, removed or added afterwards breaks the chain (`pgdr report verify`).
 */
export class RunJournal {
  private fd: number | undefined;
  private prev = CHAIN_START;

  constructor(readonly runDir: string) {}

  static create(runDir: string): RunJournal {
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    chmodSync(runDir, 0o700);
    return new RunJournal(runDir);
  }

  get path(): string {
    return join(this.runDir, JOURNAL_FILE);
  }

  append(record: JournalRecord): void {
    if (this.fd === undefined) this.open();
    const line = redactedJson({ ...record, prev: this.prev });
    writeSync(this.fd!, line + '\n');
    if (!DURABLE_WITH_THE_NEXT.has(record.type)) fsyncSync(this.fd!);
    this.prev = lineHash(line);
  }

  /** Opens for appending after the last whole line: a line torn by a kill is dropped, the chain goes on from the last. */
  private open(): void {
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8');
      const whole = text.endsWith('\n') || text === '' ? text : text.slice(0, text.lastIndexOf('\n') + 1);
      if (whole !== text) truncateSync(this.path, Buffer.byteLength(whole));
      const last = whole.trimEnd().split('\n').pop();
      if (last) this.prev = lineHash(last);
    }
    this.fd = openSync(this.path, 'a', 0o600);
    chmodSync(this.path, 0o600);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a journal; a torn last line (killed mid-write) is dropped, a torn line elsewhere is an error. */
export function readJournal(runDir: string): JournalRecord[] {
  const file = join(runDir, JOURNAL_FILE);
  if (!existsSync(file)) {
    throw new UsageError(
      `No run journal at ${file}.`,
      '`pgdr runs list` shows the runs pgdr knows about; check --runs-dir.',
    );
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  const records: JournalRecord[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      // `prev` is the chain's, not the record's: checkChain reads it from the text.
      const { prev: _prev, ...record } = JSON.parse(line) as JournalRecord & { prev?: string };
      records.push(record as JournalRecord);
    } catch {
      const isLast = lines.slice(i + 1).every((rest) => !rest.trim());
      if (!isLast)
        throw new PgdrError(`${file}:${i + 1} is not valid JSON; the journal is damaged.`, {
          hint: 'Keep the file for the post-mortem and start a new run.',
        });
    }
  });
  return records;
}

/** What `pgdr report verify` finds: the chain intact up to its last line, or the first line where it breaks. */
export interface ChainCheck {
  records: number;
  /** The sha256 of the last line: what the report states, and what a signature vouches for. */
  chainHash: string;
  broken?: { line: number; why: string };
}

/** Follows the hash chain of a run's journal line by line. */
export function checkChain(runDir: string): ChainCheck {
  const lines = readFileSync(join(runDir, JOURNAL_FILE), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev = CHAIN_START;
  for (const [i, line] of lines.entries()) {
    let recorded: unknown;
    try {
      recorded = (JSON.parse(line) as { prev?: unknown }).prev;
    } catch {
      return {
        records: i,
        chainHash: prev,
        broken: { line: i + 1, why: 'is not valid JSON: it was changed or cut short' },
      };
    }
    if (recorded === undefined)
      return {
        records: i,
        chainHash: prev,
        broken: { line: i + 1, why: 'carries no hash (written by an older pgdr?)' },
      };
    if (recorded !== prev)
      return {
        records: i,
        chainHash: prev,
        broken: {
          line: i === 0 ? 1 : i,
          why: i === 0 ? 'does not start the chain' : 'was changed: the next line recorded a different hash for it',
        },
      };
    prev = lineHash(line);
  }
  return { records: lines.length, chainHash: prev };
}
