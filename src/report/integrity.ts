import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgdrError, UsageError } from '../core/errors.js';
import { checkChain, readJournal, RunJournal } from '../runbook/journal.js';
import { foldJournal } from '../runbook/run-state.js';
import { writeRunReports } from './write.js';

/** What `pgdr report verify` found: the chain, and every way the record differs from what was written. */
export interface Verification {
  records: number;
  chainHash: string;
  problems: string[];
}

/** Follows the journal's hash chain and holds its end against the hash report.json states. */
export function verifyRecord(runDir: string): Verification {
  const chain = checkChain(runDir);
  const problems: string[] = [];
  if (chain.broken) problems.push(`journal line ${chain.broken.line} ${chain.broken.why}`);
  const reportFile = join(runDir, 'report.json');
  if (!existsSync(reportFile)) problems.push('report.json is missing, so nothing says where the chain should end');
  else {
    let stated: { records?: number; chainHash?: string } | undefined;
    try {
      stated = (JSON.parse(readFileSync(reportFile, 'utf8')) as { integrity?: typeof stated }).integrity;
    } catch {
      problems.push('report.json is not valid JSON: it was changed');
    }
    if (stated && !chain.broken && (stated.chainHash !== chain.chainHash || stated.records !== chain.records))
      problems.push(
        `the journal (${chain.records} records, ending ${chain.chainHash.slice(0, 12)}…) does not match what report.json states (${stated.records} records, ending ${stated.chainHash?.slice(0, 12)}…): records were changed, added or removed after the report was written`,
      );
    else if (!stated && existsSync(reportFile) && problems.length === 0)
      problems.push('report.json states no chain hash (written by an older pgdr): render it again with pgdr report');
  }
  return { records: chain.records, chainHash: chain.chainHash, problems };
}

export interface Signoff {
  approver: string;
  note?: string;
  followUps?: { what: string; owner: string }[];
}

/** Appends the approver's signature to a finished run's intact record (chained like any line) and renders it again. */
export function signRecord(runDir: string, runId: string, signoff: Signoff, at = Date.now()): string[] {
  const state = foldJournal(readJournal(runDir));
  if (!state.finished)
    throw new UsageError(`Run ${runId} has not ended, so there is no record to sign yet.`, {
      hint: 'Sign it once it has passed, failed or been aborted (`pgdr runs list` shows where it stands).',
    });
  const found = verifyRecord(runDir);
  if (found.problems.length)
    throw new PgdrError(
      `The record of run ${runId} does not verify, so it was not signed: ${found.problems.join('; ')}.`,
      {
        hint: 'Find out who changed it; keep the files as they are for the review.',
      },
    );
  const journal = RunJournal.create(runDir);
  journal.append({ type: 'run.signed', at, ...signoff });
  journal.close();
  return writeRunReports(runDir, readJournal(runDir));
}
