import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync, chmodSync, existsSync } from 'node:fs';
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
  operator: string;
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

export type JournalRecord = RunEvent | RunMetaRecord | RunSuspendedRecord | StepActionRecord;

export const JOURNAL_FILE = 'journal.jsonl';

/**
 * One JSON line per transition, each fsynced before the engine moves on, so a kill -9 or a dropped SSH session
 * loses at most the line being written. Every record is redacted before it is serialised.
 */
export class RunJournal {
  private fd: number | undefined;

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
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a', 0o600);
      chmodSync(this.path, 0o600);
    }
    writeSync(this.fd, redactedJson(record) + '\n');
    fsyncSync(this.fd);
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
      records.push(JSON.parse(line) as JournalRecord);
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
