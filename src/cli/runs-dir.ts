/** Where run journals and reports are: --runs-dir, else PGDR_RUNS_DIR, else ./pgdr-runs. */
export function runsDirOf(flags: { runsDir?: string }): string {
  return flags.runsDir ?? process.env.PGDR_RUNS_DIR ?? 'pgdr-runs';
}
