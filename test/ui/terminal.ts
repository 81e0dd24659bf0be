import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';

/** A terminal stand-in for Ink: records every frame, feeds keys, and knows its size. */
class FakeStdout extends EventEmitter {
  readonly raw: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
    readonly isTTY = false,
  ) {
    super();
  }
  write = (chunk: string): boolean => {
    this.raw.push(chunk);
    return true;
  };
  resize(columns: number, rows = this.rows): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private pending: string[] = [];
  write(data: string): void {
    this.pending.push(data);
    this.emit('readable');
  }
  read = (): string | null => this.pending.shift() ?? null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  space: ' ',
  backspace: '\u007F',
  escape: '\u001B',
  ctrlC: '\u0003',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Terminal {
  fakeStdout: FakeStdout;
  fakeStdin: FakeStdin;
  /** The same fakes typed as what Ink and renderRun expect. */
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Every frame written so far, ANSI kept. */
  rawFrames(): string[];
  /** The latest frame with ANSI stripped. */
  lastFrame(): string;
  waitFor(expected: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Waits until Ink listens to stdin, then types; gives React a moment to apply the key. */
  press(...input: string[]): Promise<void>;
}

export function createTerminal(size: { columns?: number; rows?: number; isTTY?: boolean } = {}): Terminal {
  const stdout = new FakeStdout(size.columns ?? 80, size.rows ?? 24, size.isTTY);
  const stderr = new FakeStdout(size.columns ?? 80, size.rows ?? 24);
  const stdin = new FakeStdin();
  const lastFrame = () => stripVTControlCharacters(stdout.raw.at(-1) ?? '');
  const matches = (expected: string | RegExp | ((frame: string) => boolean), frame: string) =>
    typeof expected === 'string'
      ? frame.includes(expected)
      : expected instanceof RegExp
        ? expected.test(frame)
        : expected(frame);
  return {
    fakeStdout: stdout,
    fakeStdin: stdin,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    rawFrames: () => stdout.raw,
    lastFrame,
    async waitFor(expected, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!matches(expected, lastFrame())) {
        if (Date.now() > deadline)
          throw new Error(`frame never matched ${String(expected)}; last frame:\n${lastFrame()}`);
        await sleep(10);
      }
      return lastFrame();
    },
    async press(...input) {
      const deadline = Date.now() + 3000;
      while (stdin.listenerCount('readable') === 0) {
        if (Date.now() > deadline) throw new Error('Ink never started reading stdin');
        await sleep(5);
      }
      // Effects that attach useInput handlers run just after the frame that shows them.
      await sleep(20);
      for (const data of input) {
        stdin.write(data);
        await sleep(20);
      }
    },
  };
}
