import { stepsOf, type RunState, type SafetySnapshot } from './run-state.js';

/** A database a step changed in place, how the run left it, and the command that puts it back as it was. */
export interface TargetAftermath {
  stepId: string;
  /** The run's target profile (restored, primary …), its server (redacted URL) and the database. */
  target: string;
  server: string;
  database: string;
  /** Whether the change finished; a database whose change did not is part-way and must not take traffic. */
  complete: boolean;
  /** In the operator's words: "partly restored in place: step "Restore the backup" was stopped part-way". */
  state: string;
  /** The safety snapshot taken before the change, and the command that restores it over the database. */
  snapshot?: SafetySnapshot;
  putBack?: string;
}

/** Every database the run changed in place (step.destructive), in runbook order: what a stopped run left behind. */
export function aftermath(state: RunState): TargetAftermath[] {
  return stepsOf(state).flatMap((step) => {
    const change = step.destructive;
    if (!change) return [];
    const complete = step.status === 'succeeded';
    const how =
      step.status === 'running'
        ? 'was cut off part-way (pgdr stopped)'
        : step.status === 'aborted'
          ? 'was stopped part-way'
          : `failed part-way${step.error ? ` (${step.error.split('\n')[0]})` : ''}`;
    // The first snapshot of the database is how it was before the run; later ones hold what an earlier try left.
    const snapshot = state.safetySnapshots.find((s) => s.database === change.database && s.server === change.server);
    return [
      {
        stepId: step.id,
        target: change.target,
        server: change.server,
        database: change.database,
        complete,
        state: complete
          ? `${change.what} (step "${step.title}" finished)`
          : `only partly ${change.what}: step "${step.title}" ${how}`,
        snapshot,
        putBack: snapshot ? putBackCommand(snapshot) : undefined,
      },
    ];
  });
}

/** The databases whose in-place change did not finish: an undo that lets traffic back would send it there. */
export function unfinishedChanges(state: RunState): TargetAftermath[] {
  return aftermath(state).filter((t) => !t.complete);
}

/** One line per database changed in place, for the undo question, the summary and the report. */
export function aftermathLines(targets: TargetAftermath[]): string[] {
  return targets.map(
    (t) =>
      `${t.database} (${t.target}, ${t.server}): ${t.state}.${
        t.putBack ? ` Safety snapshot ${t.snapshot!.id} puts it back as it was: ${t.putBack}` : ''
      }`,
  );
}

/** `pgdr restore` of the snapshot over the database, ready to paste: no password in it (libpq finds that). */
export function putBackCommand(snapshot: SafetySnapshot): string {
  const server = snapshot.server.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):\*\*\*@/i, '$1@');
  return [
    'pgdr restore',
    shellWord(snapshot.id),
    '--repo',
    shellWord(snapshot.repository),
    '--db',
    shellWord(server),
    '--clean --confirm',
    shellWord(snapshot.database),
    '--no-safety-snapshot',
  ].join(' ');
}

/** A word the shell reads back as it is: bare when it is plainly safe, single-quoted otherwise. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
