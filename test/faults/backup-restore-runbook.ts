/**
 * Backup, pick, restore into the `restored` target (scratch in a drill), check the row counts: the drill the DR plans
 * schedule, small enough for a test. `notify` adds a message before the backup and after the restore.
 */
export function backupRestoreRunbook(
  id: string,
  options: { notify?: string; verify?: boolean; pauseAfterRestore?: boolean } = {},
): string {
  const step = (yaml: string) => `      - ${yaml}\n`;
  const notify = (message: string) =>
    options.notify
      ? step(
          `{ id: ${message === 'started' ? 'announce' : 'done'}, title: Tell the team, action: notify, with: { message: "${options.notify} ${message}" } }`,
        )
      : '';
  return `id: ${id}
title: Backup and restore (${id})
severity: low
rto: 10m
rpo: 1h
phases:
  - id: backup
    title: Backup
    steps:
${notify('started')}${step('{ id: take, title: Take a backup, action: backup.take, with: { target: primary } }')}${step('{ id: pick, title: Pick it, action: backup.select, with: { strategy: latest } }')}${options.verify ? step('{ id: verify, title: Verify it, action: backup.verify, with: { id: "${{ steps.pick.outputs.backupId }}" } }') : ''}  - id: restore
    title: Restore
    steps:
${step('{ id: restore, title: Restore into scratch, action: restore.run, with: { id: "${{ steps.pick.outputs.backupId }}", target: restored, safetySnapshot: false } }')}${step('{ id: rows, title: Row counts, action: sql.check, with: { target: restored, atLeastManifest: "${{ steps.pick.outputs.rowCounts }}" } }')}${options.pauseAfterRestore ? step('{ id: pause, title: Look around, action: wait, with: { duration: 4s } }') : ''}${notify('restored')}`;
}
