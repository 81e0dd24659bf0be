// Throughput of pgdr's age streams against the age CLI: `node --import tsx bench/crypto.ts [MiB]`.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startProcess } from '../src/core/system.js';
import { createDecryptStream, createEncryptStream, generateIdentity } from '../src/crypto/index.js';

const MIB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? process.env.PGDR_BENCH_MIB ?? 512);
const dir = await mkdtemp(join(tmpdir(), 'pgdr-bench-crypto-'));

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

const rounds = Number(process.env.PGDR_BENCH_ROUNDS ?? 3);

/** Best and median of a few rounds: the machine is shared, so the best round is the least disturbed. */
async function timed(label: string, bytes: number, work: () => Promise<void>): Promise<void> {
  const speeds: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    await work();
    speeds.push(bytes / MIB / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  speeds.sort((a, b) => b - a);
  const median = speeds[Math.floor(speeds.length / 2)]!;
  console.log(
    `${label.padEnd(28)} best ${speeds[0]!.toFixed(0).padStart(5)} MiB/s   median ${median.toFixed(0).padStart(5)} MiB/s`,
  );
}

async function writePlaintext(path: string): Promise<void> {
  // Random-ish: a 4 MiB random block repeated with a different first byte each time.
  const block = randomBytes(4 * MIB);
  const out = createWriteStream(path);
  for (let written = 0; written < sizeMiB * MIB; written += block.length) {
    block[0] = written / block.length;
    if (!out.write(Buffer.from(block))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The same bytes from memory in 1 MiB pieces: the streams' own speed, without file I/O. */
function fromMemory(block: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < sizeMiB * MIB; sent += MIB)
        yield block.subarray(sent % block.length, (sent % block.length) + MIB);
    })(),
    { objectMode: false },
  );
}

async function age(args: string[]): Promise<void> {
  await startProcess('age', args, { stdout: 'ignore' }).done;
}

try {
  const plain = join(dir, 'plain.bin');
  const keyFile = join(dir, 'key.txt');
  const ours = join(dir, 'ours.age');
  const theirs = join(dir, 'cli.age');
  const { identity, recipient } = generateIdentity();
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  await writePlaintext(plain);
  const bytes = (await stat(plain)).size;
  console.log(`${sizeMiB} MiB, X25519 recipient, file → file (page cache), ${rounds} rounds`);

  await timed('pgdr encrypt', bytes, () =>
    pipeline(
      createReadStream(plain, { highWaterMark: MIB }),
      createEncryptStream({ recipients: [recipient] }),
      createWriteStream(ours),
    ),
  );
  await timed('age CLI encrypt', bytes, () => age(['-r', recipient, '-o', theirs, plain]));
  await timed('pgdr decrypt (CLI file)', bytes, () =>
    pipeline(
      createReadStream(theirs, { highWaterMark: MIB }),
      createDecryptStream({ identities: [identity] }),
      discard(),
    ),
  );
  await timed('age CLI decrypt (pgdr file)', bytes, () => age(['-d', '-i', keyFile, '-o', '/dev/null', ours]));
  const block = randomBytes(4 * MIB);
  await timed('pgdr encrypt (memory → null)', bytes, () =>
    pipeline(fromMemory(block), createEncryptStream({ recipients: [recipient] }), discard()),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
