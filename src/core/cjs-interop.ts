/**
 * The exports of a CommonJS package loaded with import(). Run from source, Node (and tsx) give them as the module
 * namespace; in the bundle, where import() loads a chunk, they arrive as its default export. `probe` is an export the
 * package certainly has.
 */
export function cjsExports<T extends object>(mod: T, probe: keyof T): T {
  return probe in mod && mod[probe] !== undefined ? mod : (mod as unknown as { default: T }).default;
}
