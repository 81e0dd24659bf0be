import type { Command } from 'commander';
import { builtinActions } from '../actions/index.js';
import { createRun, resumeRun } from '../runbook/engine.js';
import type { Run } from '../runbook/run-api.js';
import { loadRunbook } from '../runbook/library.js';
import { readJournal } from '../runbook/journal.js';
import { writeRunReports } from '../report/write.js';
import { join } from 'node:path';
import type { Prompter } from '../core/prompt.js';
import type { RunMode } from '../actions/registry.js';
import { chooseMode } from '../ui/mode.js';
import { createInkPrompter } from '../ui/prompt-queue.js';
import { inquirerPrompter } from '../ui/inquirer-prompter.js';
import { renderRun } from '../ui/render-run.js';
import { scriptedPrompter } from '../ui/scripted-prompter.js';
import { UsageError } from '../core/errors.js';
import { collect } from './output.js';
import { addRepoOptions } from './context.js';
import { addPasswordOptions } from './password-options.js';
import { buildRunTargets, type TargetFlags } from './run-targets.js';
import { buildRunServices, type ServiceFlags } from './run-services.js';
import { stderrLogger } from './output.js';
import { DEFAULT_SANDBOX_RUNBOOK, startSandbox, type Sandbox } from '../sandbox/drill.js';
import { exitCodeOf, handlingSignals, ignore, withSignals } from './run-signals.js';
import { assertNotRunning, rebuildFromJournal, serviceRecipe } from './run-resume.js';
import { latestResumable } from './runs.js';
import { runsDirOf } from './runs-dir.js';
import { operatorName } from './operator.js';

interface RunFlags extends TargetFlags, ServiceFlags {
  operator?: string;
  sandbox?: boolean;
  resume?: string;
  yes?: boolean;
  answer?: string[];
  input?: string[];
  plain?: boolean;
  json?: boolean;
  runsDir?: string;
}

export function keyValues(pairs: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} ${pair} is not key=value.`, `Use ${flag} name=value.`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function addRunOptions(command: Command): Command {
  return addPasswordOptions(addRepoOptions(command))
    .option('--yes', 'take every default and confirm the rest (a No default stays No; never types a name back)')
    .option(
      '--answer <id=value>',
      "answer a question by its id (repeatable): yes|no to confirm, a choice's value, the database name to type back, any text, all or item,item for a checklist (the ids: pgdr runbooks show <id>)",
      collect,
    )
    .option('--input <name=value>', 'set a runbook input (repeatable)', collect)
    .option('--plain', 'timestamped lines instead of the full-screen UI')
    .option('--json', 'one JSON event per line on stdout')
    .option('--profile <name>', 'configured target profile to use as primary')
    .option('--db <url>', 'primary database URL, without the password (counts as production)')
    .option('--scratch <url|profile>', 'where a drill restores')
    .option('--target <name=url>', 'another target profile (repeatable)', collect)
    .option('--production <name>', 'mark a target as production (repeatable)', collect)
    .option('--identity <file>', 'age identity that opens encrypted backups')
    .option('--passphrase-env <var>', 'environment variable holding the backup passphrase')
    .option('--runs-dir <dir>', 'where run journals and reports go (default ./pgdr-runs, or PGDR_RUNS_DIR)')
    .option('--operator <name>', 'your name for the drill record (else PGDR_OPERATOR, else asked once and remembered)')
    .option(
      '--resume <run-id>',
      'continue a run that stopped (hang-up, kill, Suspend, failure); its targets, repository and keys come from its journal',
    );
}

export function registerRunCommands(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .description('Run a DR runbook in incident mode (or continue one with --resume).')
      .argument('[runbook]', 'runbook id or .yaml file'),
  ).action(async (runbook: string | undefined, flags: RunFlags) => {
    process.exitCode = await runCommand(runbook, flags, 'incident');
  });
  addRunOptions(
    program
      .command('resume')
      .description('Continue the newest run that stopped before it ended (suspended, cut off or failed).'),
  ).action(async (flags: RunFlags) => {
    const runId = flags.resume ?? latestResumable(runsDirOf(flags));
    process.exitCode = await runCommand(undefined, { ...flags, resume: runId }, 'incident');
  });
  addRunOptions(
    program
      .command('drill')
      .description('Rehearse a runbook: restores go to the scratch target; production is never written.')
      .argument('[runbook]', `runbook id or .yaml file (with --sandbox: default ${DEFAULT_SANDBOX_RUNBOOK})`),
  )
    .option(
      '--sandbox',
      'rehearse on a throwaway local cluster with sample data: backup, disaster, recovery, report, teardown',
    )
    .action(async (runbook: string | undefined, flags: RunFlags) => {
      process.exitCode = await runCommand(
        flags.sandbox ? (runbook ?? DEFAULT_SANDBOX_RUNBOOK) : runbook,
        flags,
        'drill',
      );
    });
}

async function runCommand(name: string | undefined, flags: RunFlags, mode: RunMode): Promise<number> {
  if (!name && !flags.resume)
    throw new UsageError('Name a runbook, or pass --resume <run-id>.', '`pgdr runbooks list` shows them.');
  if (flags.sandbox && flags.resume)
    throw new UsageError(
      'A sandbox drill cannot be resumed: its cluster is gone when it ends.',
      'Start a new one: pgdr drill --sandbox.',
    );
  const actions = builtinActions();
  const loaded = flags.resume ? undefined : loadRunbook(name!, actions);
  const renderMode = chooseMode({ plain: flags.plain, json: flags.json, isTTY: Boolean(process.stdout.isTTY) });
  const scripted = flags.yes || (flags.answer?.length ?? 0) > 0 || !process.stdin.isTTY;
  // From the sandbox's first process to its teardown no signal gets its default action, which would end pgdr and
  // leave the throwaway cluster running: the setup and the run add their own handlers on top of these, and between
  // them and during the teardown a signal is ignored.
  const guarded = flags.sandbox
    ? <T>(work: () => Promise<T>) => handlingSignals({ SIGINT: ignore, SIGHUP: ignore, SIGTERM: ignore }, work)
    : <T>(work: () => Promise<T>) => work();
  return await guarded(async () => {
    const sandbox = flags.sandbox ? await sandboxFor(loaded!.runbook.id, !scripted) : undefined;
    try {
      const ink = renderMode === 'tui' && !scripted ? createInkPrompter() : undefined;
      const answers = { ...sandbox?.answers, ...keyValues(flags.answer, '--answer') };
      const prompter: Prompter = scripted
        ? scriptedPrompter({ yes: flags.yes, answers })
        : (ink ?? inquirerPrompter({ output: process.stderr }));
      // A resumed drill stays a drill (restored = scratch), whichever command resumes it.
      const runMode = flags.resume ? (journaledMode(runsDirOf(flags), flags.resume) ?? mode) : mode;
      const common = {
        prompter,
        operatorName: flags.resume ? undefined : await operatorName(flags, !scripted && renderMode !== 'json'),
        writeReports: writeRunReports,
        runsDir: runsDirOf(flags),
        actions,
        inputs: { ...sandbox?.inputs, ...keyValues(flags.input, '--input') },
      };
      let run: Run;
      if (flags.resume) {
        assertNotRunning(common.runsDir, flags.resume);
        run = resumeRun(flags.resume, { ...common, rebuild: rebuildFromJournal(flags, runMode, !scripted) });
      } else {
        const targets = sandbox?.targets ?? (await buildRunTargets(flags, runMode));
        const services = sandbox?.services ?? (await buildRunServices(flags, !scripted));
        run = createRun({ ...common, targets, services, recipe: serviceRecipe(flags), runbook: loaded!, mode });
      }
      const rendering = renderRun(
        run,
        renderMode === 'tui'
          ? { mode: 'tui', prompter: ink }
          : renderMode === 'plain'
            ? { mode: 'plain' }
            : { mode: 'json' },
      );
      const result = await withSignals(run, () => run.start(), !sandbox);
      if (result.status === 'suspended') rendering.stop();
      else await rendering.done;
      if (sandbox && renderMode !== 'json')
        process.stderr.write(
          `Sandbox: ${sandbox.disaster}; the stand-in application saw ${sandbox.app.records.map((r) => r.what).join(', ') || 'nothing'}.\n`,
        );
      return exitCodeOf(result);
    } finally {
      // The teardown takes seconds; a closed terminal sends more hang-ups meanwhile (and tmux a SIGTERM).
      await sandbox?.teardown();
    }
  });
}

/** Sets the sandbox up; Ctrl-C, a hang-up or SIGTERM meanwhile stops the setup and removes what it started. */
async function sandboxFor(runbook: string, interactive: boolean): Promise<Sandbox> {
  const setup = new AbortController();
  const stop = () => setup.abort();
  return await handlingSignals({ SIGINT: stop, SIGHUP: stop, SIGTERM: stop }, () =>
    startSandbox(runbook, { log: stderrLogger(), interactive, signal: setup.signal }),
  );
}

function journaledMode(runsDir: string, runId: string): RunMode | undefined {
  try {
    const meta = readJournal(join(runsDir, runId)).find((r) => r.type === 'run.meta');
    return meta && 'mode' in meta ? meta.mode : undefined;
  } catch {
    return undefined;
  }
}
