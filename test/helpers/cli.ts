import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI compiled by the global setup; tsx on the source when a test file runs without it. */
export function pgdrCommand(): string[] {
  const built = `${ROOT}.pgdr-test/pgdr.mjs`;
  return existsSync(built) ? [built] : ['--import', 'tsx', `${ROOT}src/cli/main.ts`];
}

/** Runs pgdr as an operator would run the command, and collects what it printed. */
export function runPgdr(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    onSpawn?: (pid: number) => void;
    /** Run as this OS user (root runs the tests; permissions do not stop root). */
    asUser?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, ...pgdrCommand(), ...args];
    const [file, ...rest] = options.asUser ? ['runuser', '-u', options.asUser, '--', ...argv] : argv;
    const child = spawn(file!, rest, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', PGDR_HOME: process.env.PGDR_HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
