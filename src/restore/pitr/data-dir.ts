import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute } from 'node:path';
import { PgdrError, UsageError } from '../../core/errors.js';

export class DataDirNotEmpty extends PgdrError {}
export class PortInUse extends PgdrError {}

/** A PITR restore only ever goes into a new, empty directory: it can never overwrite a live cluster. */
export function assertFreshDataDir(dataDir: string): void {
  if (!isAbsolute(dataDir))
    throw new UsageError(`--data-dir must be an absolute path: ${dataDir}`, 'pgBackRest only accepts absolute paths.');
  if (!existsSync(dataDir)) return;
  if (!statSync(dataDir).isDirectory()) {
    throw new DataDirNotEmpty(`${dataDir} exists and is not a directory.`, {
      hint: 'Pick a new path for the restored cluster.',
    });
  }
  const entries = readdirSync(dataDir);
  if (entries.length) {
    throw new DataDirNotEmpty(
      `${dataDir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${entries[0]}).`,
      {
        hint: 'A point-in-time restore goes into a new, empty directory and never over an existing cluster: pick another --data-dir.',
      },
    );
  }
}

export async function assertPortFree(port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port ${port} is not a port number.`, 'Ports are numbers from 1 to 65535.');
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new PortInUse(`Port ${port} is already in use on this host.`, {
      hint: 'The restored cluster starts next to the others: give it a free --port (ss -ltn shows the ones in use).',
    });
  }
}
