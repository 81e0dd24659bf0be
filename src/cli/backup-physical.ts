import chalk from 'chalk';
import { UsageError } from '../core/errors.js';
import { formatBytes } from '../core/format-bytes.js';
import { printable } from '../core/printable.js';
import { reportedOperation } from '../notify/reported-operation.js';
import { printJson } from './output.js';
import { cliConfig, operationContext, type CommonOptions } from './context.js';

export interface PhysicalFlags extends CommonOptions {
  pgbackrestStanza?: string;
  pgbackrestConfig?: string;
}

/** `pgdr backup full|differential|incremental --pgbackrest-stanza S`: a pgBackRest set, reported like a logical backup. */
export async function physicalBackup(kind: string, flags: PhysicalFlags): Promise<void> {
  const { takePhysicalBackup, PHYSICAL_KINDS, STANZA_NAME } = await import('../backup/physical/index.js');
  const type = PHYSICAL_KINDS[kind];
  if (!type) throw new UsageError(`A physical backup is full, differential or incremental, not "${kind}".`);
  const loaded = await cliConfig(flags);
  const stanza = flags.pgbackrestStanza ?? loaded.config.pgbackrest?.stanza;
  if (!stanza)
    throw new UsageError(
      `A ${kind} backup is a physical one, taken by pgBackRest: it needs a stanza.`,
      'Pass --pgbackrest-stanza NAME, or set pgbackrest.stanza in pgdr.config.yaml (pgdr pitr setup creates one).',
    );
  if (!STANZA_NAME.test(stanza))
    throw new UsageError(
      `"${printable(stanza)}" is not a pgBackRest stanza name.`,
      'Use letters, digits, "-", "_" or ".", e.g. main.',
    );
  const configPath =
    flags.pgbackrestConfig ??
    (stanza === loaded.config.pgbackrest?.stanza ? loaded.config.pgbackrest.configPath : undefined) ??
    process.env.PGBACKREST_CONFIG;
  const ctx = operationContext(flags);
  try {
    const report = {
      command: 'backup',
      target: `pgbackrest:${stanza}`,
      title: `Physical ${kind} backup of stanza ${stanza}`,
      failedEvent: 'backup.failed',
      succeededEvent: 'backup.succeeded',
      config: loaded.config,
      log: ctx.log,
    } as const;
    const result = await reportedOperation(report, async (note) => {
      const taken = await takePhysicalBackup({ stanza, configPath, type }, ctx);
      note.backupId = taken.label;
      note.details = { kind: `physical-${taken.type}`, bytes: taken.repoDeltaBytes };
      return taken;
    });
    ctx.dispose();
    if (flags.json) return printJson(result);
    process.stdout.write(
      `${chalk.green('✔')} Physical backup ${chalk.bold(result.label)} (${result.type}${result.prior ? ` on top of ${result.prior}` : ''})\n` +
        `  stanza     ${result.stanza}\n` +
        `  copied     ${formatBytes(result.deltaBytes)} of ${formatBytes(result.databaseBytes)}, ${formatBytes(result.repoDeltaBytes)} stored\n` +
        `  WAL        ${result.walStart ?? '?'} … ${result.walStop ?? '?'} (archived continuously after it)\n` +
        `  took       ${(result.durationMs / 1000).toFixed(1)} s\n`,
    );
  } finally {
    ctx.dispose();
  }
}
