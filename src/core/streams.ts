import { pipeline } from 'node:stream/promises';

/**
 * A source piped through any number of stages into a sink, with backpressure, the first error from any of them, and
 * every stream destroyed on failure. Node's typings name fixed tuples; this is the one typed way in for a list.
 */
export function pipeThrough(
  source: NodeJS.ReadableStream,
  stages: readonly NodeJS.ReadWriteStream[],
  sink: NodeJS.WritableStream,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  return pipeline([source, ...stages, sink], options);
}
