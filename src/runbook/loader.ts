import { readFileSync, statSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError } from '../core/errors.js';
import type { ActionRegistry } from '../actions/registry.js';
import { runbookSchema, type Runbook } from './schema.js';
import { checkRunbook, formatPath, type Problem } from './checks.js';

export const MAX_RUNBOOK_BYTES = 1024 * 1024;

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  source: string;
}

export interface RunbookProblem extends Problem {
  line: number;
  column: number;
}

export class RunbookInvalid extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: RunbookProblem[],
  ) {
    const lines = problems.map((p) => `${file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
    super(`${file} is not a valid runbook:\n${lines.join('\n')}`, {
      hint: 'Fix the lines above; `pgdr runbooks validate <file>` checks it again (runbooks/runbook.schema.json gives editors completion).',
    });
  }
}

export function loadRunbookFile(file: string, registry: ActionRegistry): LoadedRunbook {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(
      `Runbook ${file} was not found.`,
      '`pgdr runbooks list` shows the shipped runbooks; pass an id or a path to a .yaml file.',
    );
  }
  if (size > MAX_RUNBOOK_BYTES) {
    throw new UsageError(
      `Runbook ${file} is ${size} bytes; the limit is ${MAX_RUNBOOK_BYTES} (1 MiB).`,
      'A runbook is a list of steps; move large SQL or scripts into files the steps reference.',
    );
  }
  return loadRunbookText(readFileSync(file, 'utf8'), file, registry);
}

export function loadRunbookText(source: string, file: string, registry: ActionRegistry): LoadedRunbook {
  if (Buffer.byteLength(source) > MAX_RUNBOOK_BYTES) {
    throw new UsageError(
      `Runbook ${file} is larger than 1 MiB.`,
      'Move large SQL or scripts into files the steps reference.',
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new RunbookInvalid(
      file,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, ...at(e.pos[0]) })),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
    JSON.stringify(value); // an alias inside its own anchor makes a cycle
  } catch (error) {
    // Unresolved or excessive aliases surface only when the document is converted.
    throw new RunbookInvalid(file, [
      { path: '', message: (error as Error).message.split('\n')[0]!, line: 1, column: 1 },
    ]);
  }
  const parsed = runbookSchema.safeParse(value);
  const locate = (path: PropertyKey[], key = false) => at(offsetOf(doc, path, key));
  if (!parsed.success) {
    throw new RunbookInvalid(
      file,
      parsed.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const where = unknownKeys.length > 0 ? [...path, unknownKeys[0]!] : path;
        return { path: formatPath(path), message: issue.message, ...locate(where, unknownKeys.length > 0) };
      }),
    );
  }
  const problems = checkRunbook(parsed.data, registry);
  if (problems.length > 0)
    throw new RunbookInvalid(
      file,
      problems.map((p) => ({ ...p, ...locate(p.at ?? []) })),
    );
  return { runbook: parsed.data, file, source };
}

/** Offset of the node at `path`, or of its nearest existing ancestor; `key` points at the map key instead. */
function offsetOf(doc: Document, path: PropertyKey[], key: boolean): number {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n) as (string | number)[];
    if (key && n === path.length && n > 0) {
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => (item.key as { value?: unknown })?.value === prefix[prefix.length - 1],
        );
        const range = (pair?.key as { range?: number[] } | undefined)?.range;
        if (range) return range[0]!;
      }
      continue;
    }
    const node = n === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = (node as { range?: number[] } | null)?.range;
    if (range && (n === 0 || isMap(node) || isSeq(node) || node)) return range[0]!;
  }
  return 0;
}
