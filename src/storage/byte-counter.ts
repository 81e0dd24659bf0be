import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through that counts bytes, for progress reporting and for the size a put returns. */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }
}
