import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { sleep } from '../core/sleep.js';
import type { BackupManifest } from '../backup/manifest.js';
import { readArchiveHead, readInt } from '../backup/custom-archive.js';
import type { TocEntry } from './toc.js';

/** A table whose data loads from the staged file while the rest of the archive is still being written. */
export interface EarlyLoad {
  entry: TocEntry;
  /** Its data block in the plaintext archive: [start, end). */
  start: number;
  end: number;
  /** Where the table of contents ends (the first data block starts). */
  head: number;
  /** How many sessions load it side by side. */
  parts: number;
}

/** A block below this is not worth a pg_restore of its own. */
const MIN_BYTES = 1 << 20;
/** Nor one holding less than this share of the data the noted offsets measure. */
const MIN_SHARE = 0.25;
/** A block holding this share or more is the restore's longest load whatever else runs: it is shared out. */
const SPLIT_SHARE = 0.5;

/** The largest data block whose end the backup's noted offsets tell (all but the last one's), with its share of them. */
export function largestBlock(
  manifest: BackupManifest,
): { id: number; start: number; end: number; head: number; share: number } | undefined {
  const offsets = Object.entries(manifest.dataOffsets ?? {})
    .map(([id, at]) => ({ id: Number(id), at }))
    .sort((a, b) => a.at - b.at);
  if (offsets.length < 2) return undefined;
  const blocks = offsets.slice(0, -1).map((o, i) => ({ id: o.id, start: o.at, end: offsets[i + 1]!.at }));
  const size = (b: { start: number; end: number }) => b.end - b.start;
  const known = blocks.reduce((sum, b) => sum + size(b), 0);
  const largest = blocks.reduce((a, b) => (size(b) > size(a) ? b : a));
  return { ...largest, head: offsets[0]!.at, share: size(largest) / known };
}

/**
 * The table whose load starts as soon as its bytes are staged, instead of after the whole archive is checked and
 * staged: the largest block the noted offsets measure, when it holds a quarter or more of what they measure; with
 * half or more it is the restore's longest load whatever else runs, so `jobs` sessions share it. The other tables
 * follow with pg_restore --jobs, largest first. A database dominated by one or two tables gets its longest load
 * going at once, on every core; on others it is one more session while the cores stage.
 */
export function earlyLoad(manifest: BackupManifest, entries: readonly TocEntry[], jobs: number): EarlyLoad | undefined {
  const planned = earlyLoadPlanned(manifest, jobs);
  const block = largestBlock(manifest);
  const entry = block && entries.find((e) => e.id === block.id && e.desc === 'TABLE DATA');
  return planned && entry && { entry, start: block.start, end: block.end, head: block.head, parts: planned.parts };
}

/** What the plan says of it, before the table of contents is read. */
export function earlyLoadPlanned(
  manifest: BackupManifest,
  jobs: number,
): { bytes: number; share: number; parts: number } | undefined {
  const block = largestBlock(manifest);
  if (!block || block.end - block.start < MIN_BYTES || block.share < MIN_SHARE) return undefined;
  return { bytes: block.end - block.start, share: block.share, parts: block.share >= SPLIT_SHARE ? jobs : 1 };
}

/**
 * What `load.parts` runs of `pg_restore --data-only` read on stdin to load the table side by side, taken from the
 * staged file as it is written: each gets the archive's head (its table of contents, where the block's offset is not
 * set, so pg_restore takes the first block with the table's id), the block's header, a share of its chunks (pg_dump
 * writes one row per chunk: runs of whole rows, about a read's worth, to whichever run has room) and the block's end
 * marker. The rows land in another physical order than pg_dump read them in, as with any parallel load. When the
 * staging fails, so do the streams, with its reason.
 */
export function blockFeeds(path: string, load: EarlyLoad, staged: Promise<void>, signal: AbortSignal): Readable[] {
  const feeds = Array.from({ length: load.parts }, () => new PassThrough({ highWaterMark: 4 << 20 }));
  void pump().catch((error: unknown) => {
    for (const feed of feeds) feed.destroy(error as Error);
  });
  return feeds;

  async function pump(): Promise<void> {
    const file = growing(path, staged, signal);
    try {
      const head = await file.read(0, load.head);
      const intSize = readArchiveHead(head)?.intSize;
      if (!intSize) throw new Error('the staged archive has no table of contents pgdr reads');
      const headerSize = 2 + intSize;
      const header = await file.read(load.start, load.start + headerSize);
      if (header[0] !== 1 || readInt(header, 1, intSize) !== load.entry.id)
        throw new Error(`the block at the offset noted for entry ${load.entry.id} is not its data`);
      for (const feed of feeds) await send(feed, Buffer.concat([head, header]));
      let at = load.start + headerSize;
      let pending: Buffer = Buffer.alloc(0);
      let current = feeds[0]!;
      for (let ended = false; !ended;) {
        if (at >= load.end) throw new Error(`the block of entry ${load.entry.id} ends without its end marker`);
        const next = await file.read(at, Math.min(load.end, at + (1 << 20)));
        at += next.length;
        const data = pending.length ? Buffer.concat([pending, next]) : next;
        // Whole chunks only: a length (a sign byte and intSize bytes), then that many bytes; a length of 0 ends it.
        let used = 0;
        for (;;) {
          if (used + 1 + intSize > data.length) break;
          const length = readInt(data, used, intSize);
          if (length === 0) {
            ended = true;
            break;
          }
          if (length < 0 || used + 1 + intSize + length > data.length) break;
          used += 1 + intSize + length;
        }
        if (used > 0) {
          await send(current, data.subarray(0, used));
          // Another run takes the next rows only where a row ends.
          if (data[used - 1] === 0x0a) current = await roomiest(feeds, current);
        }
        pending = data.subarray(used);
      }
      const end = Buffer.alloc(1 + intSize);
      for (const feed of feeds) feed.end(end);
    } finally {
      await file.close();
    }
  }
}

async function send(feed: PassThrough, bytes: Buffer): Promise<void> {
  if (!feed.write(bytes)) await drained(feed);
}

/** The next feed after `current` with room for more, waiting for one to drain when none has. */
async function roomiest(feeds: PassThrough[], current: PassThrough): Promise<PassThrough> {
  const from = feeds.indexOf(current) + 1;
  const order = [...feeds.slice(from), ...feeds.slice(0, from)];
  return order.find((f) => !f.writableNeedDrain) ?? (await Promise.race(order.map(async (f) => (await drained(f), f))));
}

/** Settles when the feed drains; fails when it is closed first (its pg_restore is gone). */
function drained(feed: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      feed.off('drain', onDrain).off('close', onClose).off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('a pg_restore loading the table stopped reading'));
    feed.once('drain', onDrain).once('close', onClose).once('error', done);
  });
}

/** Reads byte ranges of a file that is still being written, waiting where the writer has not got to yet. */
function growing(
  path: string,
  staged: Promise<void>,
  signal: AbortSignal,
): { read(start: number, end: number): Promise<Buffer>; close(): Promise<void> } {
  let over = false;
  void staged.then(
    () => (over = true),
    () => (over = true),
  );
  const handle = open(path, 'r');
  return {
    async read(start, end) {
      const file = await handle;
      const out = Buffer.allocUnsafe(end - start);
      for (let got = 0; got < out.length;) {
        const { bytesRead } = await file.read(out, got, out.length - got, start + got);
        if (bytesRead > 0) got += bytesRead;
        else if (over) {
          await staged;
          throw new Error(`the staged archive ends at byte ${start + got}, before the block it should hold`);
        } else await sleep(20, signal);
      }
      return out;
    },
    close: async () => (await handle.catch(() => undefined))?.close(),
  };
}
