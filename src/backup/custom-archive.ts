/**
 * Just enough of pg_dump's custom archive format (pg_backup_archiver.c, pg_backup_custom.c) to find where each
 * entry's data starts. pg_dump writing to a pipe cannot go back and record those offsets in the table of contents,
 * so pg_restore --jobs has to read through every data block to find a table's, and cannot start the largest first.
 * pgdr notes the offsets while the dump streams past (DataOffsetScanner) and writes them into the staged archive at
 * restore time (restore/archive-offsets.ts).
 */

/** Archive versions read here: 1.12 (pg_dump 9.5) to 1.16 (pg_dump 18). */
const MIN_VERSION = v(1, 12);
const MAX_VERSION = v(1, 16);
/** A table of contents longer than this (hundreds of thousands of objects) is not kept in memory to be read. */
export const MAX_HEAD_BYTES = 64 * 1024 * 1024;
const BLK_DATA = 1;
const BLK_BLOBS = 3;
/** dataState in the table of contents: not recorded (piped dump), recorded, no data at all. */
export const OFFSET_NOT_SET = 1;
export const OFFSET_SET = 2;
export const NO_DATA = 3;

function v(major: number, minor: number, rev = 0): number {
  return (major * 256 + minor) * 256 + rev;
}

export interface TocOffsetField {
  dumpId: number;
  /** Byte position of the entry's dataState flag, followed by offSize bytes of offset (lowest byte first). */
  at: number;
  state: number;
}

export interface ArchiveHead {
  intSize: number;
  offSize: number;
  entries: TocOffsetField[];
  /** Where the table of contents ends and the first data block starts. */
  dataStart: number;
}

class NeedMore extends Error {}

/** A reader over a buffer that throws NeedMore when the buffer ends first. */
class Reader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private intSize = 4,
  ) {}
  setIntSize(n: number): void {
    this.intSize = n;
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw new NeedMore();
    return this.buf[this.pos++]!;
  }
  int(): number {
    if (this.pos + 1 + this.intSize > this.buf.length) throw new NeedMore();
    const value = readInt(this.buf, this.pos, this.intSize);
    this.pos += 1 + this.intSize;
    return value;
  }
  str(): string | null {
    const len = this.int();
    if (len < 0) return null;
    if (this.pos + len > this.buf.length) throw new NeedMore();
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new NeedMore();
    this.pos += n;
  }
}

/**
 * Reads the header and table of contents from the start of a custom archive. Returns undefined when `buf` ends
 * before the table of contents does; throws when it is not a custom archive of a version read here.
 */
export function readArchiveHead(buf: Buffer): ArchiveHead | undefined {
  const r = new Reader(buf);
  try {
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) !== 'PGDMP') throw new Error('not a pg_dump archive');
    r.skip(5);
    const version = v(r.byte(), r.byte(), r.byte());
    if (version < MIN_VERSION || version > MAX_VERSION)
      throw new Error(`archive version ${version >> 16}.${(version >> 8) & 255} is not one pgdr reads`);
    const intSize = r.byte();
    const offSize = r.byte();
    if (intSize < 1 || intSize > 8 || offSize < 1 || offSize > 8) throw new Error('implausible integer sizes');
    if (r.byte() !== 1) throw new Error('not the custom format');
    r.setIntSize(intSize);
    if (version >= v(1, 15)) r.byte();
    else r.int();
    for (let i = 0; i < 7; i++) r.int();
    r.str(); // database name
    r.str(); // server version
    r.str(); // pg_dump version
    const count = r.int();
    const entries: TocOffsetField[] = [];
    for (let i = 0; i < count; i++) {
      const dumpId = r.int();
      r.int(); // had a data dumper
      r.str(); // catalog table oid
      r.str(); // oid
      r.str(); // tag
      r.str(); // desc
      r.int(); // section
      for (let s = 0; s < 6; s++) r.str(); // definition, drop, copy statement, namespace, tablespace, table AM
      if (version >= v(1, 16)) r.int(); // relkind
      r.str(); // owner
      r.str(); // "with oids"
      while (r.str() !== null); // dependencies, ended by a null
      const at = r.pos;
      const state = r.byte();
      r.skip(offSize);
      entries.push({ dumpId, at, state });
    }
    return { intSize, offSize, entries, dataStart: r.pos };
  } catch (error) {
    if (error instanceof NeedMore) return undefined;
    throw error;
  }
}

type ScanState = 'head' | 'blockType' | 'blockId' | 'chunkLen' | 'chunk' | 'blobOid' | 'failed';

/**
 * Follows a custom archive as it streams past (feed each chunk in order) and notes where each data block starts.
 * Anything unexpected makes it give up quietly: the offsets are an optimisation, never a reason to fail a backup.
 */
export class DataOffsetScanner {
  private state: ScanState = 'head';
  private headBytes: Buffer[] = [];
  private headLength = 0;
  private nextHeadTry = 64 * 1024;
  private head: ArchiveHead | undefined;
  /** Stream position of the next byte to be fed. */
  private pos = 0;
  private pending = Buffer.alloc(0);
  private remaining = 0;
  private blockType = 0;
  private blockStart = 0;
  private readonly found = new Map<number, number>();

  feed(chunk: Buffer): void {
    if (this.state === 'failed') return;
    try {
      if (this.state === 'head') return this.feedHead(chunk, false);
      this.scan(chunk);
    } catch {
      this.fail();
    }
  }

  private fail(): void {
    this.state = 'failed';
    this.headBytes = [];
  }

  /** dumpId → offset of its data block, once the whole archive was fed and every entry with data was found. */
  offsets(): Record<string, number> | undefined {
    if (this.state === 'head') this.finishHead();
    if (this.state !== 'blockType' || !this.head || this.pending.length) return undefined;
    const wanted = this.head.entries.filter((e) => e.state === OFFSET_NOT_SET || e.state === OFFSET_SET);
    if (!wanted.length || wanted.length !== this.found.size || wanted.some((e) => !this.found.has(e.dumpId)))
      return undefined;
    return Object.fromEntries(wanted.map((e) => [String(e.dumpId), this.found.get(e.dumpId)!]));
  }

  /** An archive shorter than the first attempt's threshold is read whole at the end. */
  private finishHead(): void {
    try {
      this.feedHead(Buffer.alloc(0), true);
    } catch {
      this.fail();
    }
  }

  private feedHead(chunk: Buffer, last: boolean): void {
    this.headBytes.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < this.nextHeadTry && !last) return;
    if (this.headLength > MAX_HEAD_BYTES) return this.fail();
    const all = Buffer.concat(this.headBytes);
    this.headBytes = [all];
    const head = readArchiveHead(all);
    if (!head) {
      this.nextHeadTry = this.headLength * 2;
      return;
    }
    this.head = head;
    this.headBytes = [];
    this.state = 'blockType';
    this.pos = head.dataStart;
    this.scan(all.subarray(head.dataStart));
  }

  private scan(buf: Buffer): void {
    const intLen = 1 + this.head!.intSize;
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'chunk') {
        const n = Math.min(this.remaining, buf.length - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'chunkLen';
        continue;
      }
      if (this.state === 'blockType') {
        this.blockStart = this.pos + i;
        this.blockType = buf[i++]!;
        if (this.blockType !== BLK_DATA && this.blockType !== BLK_BLOBS) throw new Error('unknown block');
        this.state = 'blockId';
        continue;
      }
      // The rest are integers, which may straddle two chunks.
      let value: number;
      if (this.pending.length || i + intLen > buf.length) {
        const take = Math.min(intLen - this.pending.length, buf.length - i);
        this.pending = Buffer.concat([this.pending, buf.subarray(i, i + take)]);
        i += take;
        if (this.pending.length < intLen) break;
        value = readInt(this.pending, 0, this.head!.intSize);
        this.pending = Buffer.alloc(0);
      } else {
        value = readInt(buf, i, this.head!.intSize);
        i += intLen;
      }
      this.onInt(value);
    }
    this.pos += buf.length;
  }

  private onInt(value: number): void {
    switch (this.state) {
      case 'blockId':
        if (this.found.has(value)) throw new Error('block seen twice');
        this.found.set(value, this.blockStart);
        this.state = this.blockType === BLK_DATA ? 'chunkLen' : 'blobOid';
        return;
      case 'blobOid':
        this.state = value === 0 ? 'blockType' : 'chunkLen';
        return;
      case 'chunkLen':
        if (value < 0) throw new Error('negative length');
        if (value > 0) {
          this.remaining = value;
          this.state = 'chunk';
        } else this.state = this.blockType === BLK_DATA ? 'blockType' : 'blobOid';
        return;
      default:
        throw new Error(`unexpected integer in state ${this.state}`);
    }
  }
}

export function readInt(buf: Buffer, at: number, intSize: number): number {
  let value = 0;
  for (let i = intSize; i >= 1; i--) value = value * 256 + buf[at + i]!;
  return buf[at] !== 0 ? -value : value;
}
