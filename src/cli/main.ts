import { closeSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { isatty } from 'node:tty';
import { COMMANDS, commandNamed } from './command-table.js';
import { commanderExitCode, createProgram } from './program.js';

// `pgdr backups list | head` closes the pipe early; that is not an error worth a stack trace. A terminal that went
// away (SSH dropped, tmux window killed) fails every later write with EIO: the output is lost, but the run must still
// suspend cleanly and a sandbox still tear its cluster down, so those writes are dropped instead of ending the process.
const outputGone = (stream: 'stdout' | 'stderr') => (error: NodeJS.ErrnoException) => {
  if (error.code === 'EIO') return;
  if (error.code === 'EPIPE' && stream === 'stdout') process.exit(process.exitCode ?? 0);
  if (error.code === 'EPIPE') return;
  throw error;
};
process.stdout.on('error', outputGone('stdout'));
process.stderr.on('error', outputGone('stderr'));

// Node puts the terminal's settings back as it exits and aborts (SIGABRT, "Assertion failed … ResetStdio") when
// the terminal is gone. A descriptor that was a terminal and no longer is gets closed first, so Node skips it and
// the exit status stays the one pgdr chose (129 for a suspended run).
const terminals = [0, 1, 2].filter((fd) => isatty(fd));
process.on('exit', () => {
  for (const fd of terminals.filter((fd) => !isatty(fd))) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }
});

const wanted = commandNamed(process.argv.slice(2));
if (wanted) {
  process.exitCode = await (await import('./run-command.js')).runCommand(wanted.module, process.argv);
} else {
  // No command named: --help, --version or a typo; the table stands in for the commands, so nothing heavy loads.
  const program = createProgram();
  for (const c of COMMANDS)
    program
      .command(c.name)
      .aliases(c.aliases ?? [])
      .description(c.summary);
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    process.exitCode = commanderExitCode(error) ?? 1;
    if (process.exitCode === 1) process.stderr.write(`error: ${errorMessage(error)}\n`);
  }
}
