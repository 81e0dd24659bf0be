import { open } from 'node:fs/promises';
import {
  MAX_HEAD_BYTES,
  NO_DATA,
  OFFSET_NOT_SET,
  OFFSET_SET,
  readArchiveHead,
  readInt,
  type ArchiveHead,
} from '../backup/custom-archive.js';

/**
 * Writes the data offsets the backup noted (manifest.dataOffsets) into the table of contents of the staged archive,
 * as pg_dump does itself when it writes to a file. pg_restore --jobs then seeks straight to each table's data instead
 * of reading through the blocks before it, and starts the largest tables first. Every offset is checked against the
 * block header it points at before anything is written; any doubt leaves the archive as it was (pg_restore still
 * reads it, only slower). Returns why it did not, or undefined when it did.
 */
export async function recordDataOffsets(path: string, offsets: Record<string, number>): Promise<string | undefined> {
  const first = Math.min(...Object.values(offsets));
  if (!(first > 0 && first <= MAX_HEAD_BYTES)) return 'the noted offsets are implausible';
  const file = await open(path, 'r+');
  try {
    // The first data block follows the table of contents: that is how much to read.
    const buf = Buffer.alloc(first);
    const { bytesRead } = await file.read(buf, 0, first, 0);
    const head = readArchiveHead(buf.subarray(0, bytesRead));
    if (!head) return 'the table of contents could not be read';
    const withData = head.entries.filter((e) => e.state !== NO_DATA);
    if (withData.some((e) => e.state === OFFSET_SET)) return 'the archive has offsets already';
    if (
      withData.some((e) => e.state !== OFFSET_NOT_SET || offsets[e.dumpId] === undefined) ||
      withData.length !== Object.keys(offsets).length
    ) {
      return 'the noted offsets do not match the table of contents';
    }
    if (first !== head.dataStart) return 'the first data block is not where the table of contents ends';
    const idLength = 1 + head.intSize;
    const probe = Buffer.alloc(1 + idLength);
    for (const e of withData) {
      const { bytesRead } = await file.read(probe, 0, probe.length, offsets[e.dumpId]!);
      if (
        bytesRead !== probe.length ||
        (probe[0] !== 1 && probe[0] !== 3) ||
        readInt(probe, 1, head.intSize) !== e.dumpId
      ) {
        return `the block at the offset noted for entry ${e.dumpId} is not its data`;
      }
    }
    for (const e of withData) await file.write(offsetField(offsets[e.dumpId]!, head), 0, 1 + head.offSize, e.at);
    return undefined;
  } finally {
    await file.close();
  }
}

function offsetField(offset: number, head: ArchiveHead): Buffer {
  const field = Buffer.alloc(1 + head.offSize);
  field[0] = OFFSET_SET;
  for (let i = 0, rest = offset; i < head.offSize; i++, rest = Math.floor(rest / 256)) field[1 + i] = rest % 256;
  return field;
}
