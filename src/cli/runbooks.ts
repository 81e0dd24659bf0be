import type { Command } from 'commander';
import chalk from 'chalk';
import { builtinActions } from '../actions/index.js';
import { listRunbooks, loadRunbook } from '../runbook/library.js';
import { loadRunbookFile } from '../runbook/loader.js';
import { printJson } from './output.js';

export function registerRunbooksCommands(program: Command): void {
  const runbooks = program.command('runbooks').description('The DR runbooks: list, show, validate.');
  runbooks
    .command('list')
    .description('List the shipped runbooks with their RTO and RPO.')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const entries = listRunbooks(builtinActions());
      if (flags.json) {
        printJson(
          entries.map((e) =>
            e.loaded
              ? {
                  id: e.id,
                  title: e.loaded.runbook.title,
                  severity: e.loaded.runbook.severity,
                  rto: e.loaded.runbook.rto,
                  rpo: e.loaded.runbook.rpo,
                  file: e.file,
                }
              : { id: e.id, file: e.file, error: e.error },
          ),
        );
        return;
      }
      for (const e of entries) {
        if (!e.loaded)
          process.stdout.write(`${e.id.padEnd(22)} ${chalk.red('invalid')} ${e.error?.split('\n')[1] ?? ''}\n`);
        else
          process.stdout.write(
            `${e.id.padEnd(22)} RTO ${e.loaded.runbook.rto.padEnd(4)} RPO ${e.loaded.runbook.rpo.padEnd(4)} ${e.loaded.runbook.severity.padEnd(8)} ${e.loaded.runbook.title}\n`,
          );
      }
    });
  runbooks
    .command('show')
    .description('Show a runbook: description, contacts, inputs, phases and steps.')
    .argument('<runbook>', 'runbook id or .yaml file')
    .option('--json', 'print JSON')
    .action((name: string, flags: { json?: boolean }) => {
      const actions = builtinActions();
      const { runbook } = loadRunbook(name, actions);
      if (flags.json) return printJson(runbook);
      const out: string[] = [
        chalk.bold(runbook.title),
        `${runbook.id} · severity ${runbook.severity} · RTO ${runbook.rto} · RPO ${runbook.rpo}`,
        '',
      ];
      if (runbook.description) out.push(runbook.description.trim(), '');
      for (const c of runbook.contacts ?? [])
        out.push(
          `contact: ${c.name}${c.role ? ` (${c.role})` : ''}${c.email ? ` ${c.email}` : ''}${c.phone ? ` ${c.phone}` : ''}${c.url ? ` ${c.url}` : ''}`,
        );
      for (const e of runbook.escalation ?? [])
        out.push(`escalate after ${e.after}: ${e.contact}${e.note ? ` — ${e.note}` : ''}`);
      for (const i of runbook.inputs ?? [])
        out.push(
          `input ${i.name}${i.required ? ' (required)' : ''}${i.default !== undefined && i.default !== '' ? ` = ${String(i.default)}` : ''}: ${i.prompt}`,
        );
      runbook.phases.forEach((phase, p) => {
        out.push('', chalk.bold(`${p + 1}. ${phase.title}`));
        for (const step of phase.steps) {
          out.push(
            `   - ${step.title} ${chalk.dim(`[${step.id}] ${step.action ?? 'manual'}${step.when ? ` when ${step.when}` : ''}${step.undo ? ` undo ${step.undo.action}` : ''}`)}`,
          );
          for (const item of step.manual ?? []) out.push(`       [ ] ${item}`);
          // The ids a run without a terminal answers with --answer <id>=…
          const asks = actions
            .get(step.action ?? 'manual')
            .questions?.(step.id, step.manual ? { items: step.manual } : (step.with ?? {}));
          if (asks?.length) out.push(chalk.dim(`       asks ${asks.map((q) => `${q.id} (${q.kind})`).join(', ')}`));
        }
      });
      process.stdout.write(out.join('\n') + '\n');
    });
  runbooks
    .command('validate')
    .description('Check a runbook file; errors name file:line:column.')
    .argument('<file>', 'the .yaml file')
    .action((file: string) => {
      const { runbook } = loadRunbookFile(file, builtinActions());
      const steps = runbook.phases.reduce((n, p) => n + p.steps.length, 0);
      process.stdout.write(
        `${file}: valid — ${runbook.id}, ${runbook.phases.length} phases, ${steps} steps, RTO ${runbook.rto}\n`,
      );
    });
}
