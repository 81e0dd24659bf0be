import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { PgdrError } from '../core/errors.js';
import { registerEnvironmentSecrets } from '../core/environment-secrets.js';
import type { Env } from '../core/env.js';
import { configSchema, type PgdrConfig } from './schema.js';
import { findLiteralSecrets } from './literal-secrets.js';
import { CONFIG_FILE } from './paths.js';
import { readUserState } from './user-store.js';

/** A config pgdr cannot use: input to fix, exit 2. */
export class ConfigInvalid extends PgdrError {
  static override readonly exitCode: number = 2;
}

export type Origin = 'file' | 'env' | 'default' | 'user';

export interface LoadedConfig {
  config: PgdrConfig;
  /** The file read, or undefined when there is none (defaults and env only). */
  path: string | undefined;
  /** Dotted value path ("repository.url", "targets.prod.role") → where the value came from. */
  origins: Record<string, Origin>;
  warnings: string[];
}

export interface LoadOptions {
  cwd?: string;
  configPath?: string;
  env?: Env;
}

/** Environment variables that override the file; flags override both at the call site. */
export const ENV_OVERRIDES: { env: string; path: string[]; list?: boolean }[] = [
  { env: 'PGDR_TARGET', path: ['defaultTarget'] },
  { env: 'PGDR_REPO', path: ['repository', 'url'] },
  { env: 'PGDR_AGE_RECIPIENTS', path: ['encryption', 'recipients'], list: true },
];

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.PGDR_CONFIG;
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, CONFIG_FILE);
  if (explicit && !existsSync(path)) {
    throw new ConfigInvalid(`The config file ${path} does not exist.`, {
      hint: 'Check --config / PGDR_CONFIG, or create one with: pgdr init',
    });
  }
  const warnings: string[] = [];
  let raw: Record<string, unknown> = {};
  let doc: Document | undefined;
  const lines = new LineCounter();
  const present = existsSync(path);
  if (present) {
    const mode = statSync(path).mode;
    if (mode & 0o077)
      warnings.push(`${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
    doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const at = lines.linePos(e.pos[0]);
      throw new ConfigInvalid(`${path}:${at.line}:${at.col}: not valid YAML: ${e.message.split('\n')[0]}`, {
        hint: 'Fix the YAML syntax (indentation uses spaces; quote values containing ": " or "#").',
      });
    }
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: 100 });
      JSON.stringify(js); // an alias inside its own anchor makes a cycle
    } catch (error) {
      throw new ConfigInvalid(`${path}: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'Fix the YAML: every *alias needs an &anchor defined before it, and no anchor may contain itself.',
      });
    }
    if (js !== null && js !== undefined && (typeof js !== 'object' || Array.isArray(js))) {
      throw new ConfigInvalid(`${path}:1:1: the config must be a mapping of keys (targets, repository, …).`, {
        hint: 'See templates/pgdr.config.example.yaml.',
      });
    }
    raw = (js as Record<string, unknown>) ?? {};
    const where = (p: (string | number)[]) => `${path}:${position(doc!, lines, p)}`;
    const findings = findLiteralSecrets(raw);
    const errors = findings.filter((f) => f.severity === 'error');
    for (const f of findings.filter((f) => f.severity === 'warning'))
      warnings.push(`${where(f.path)}: ${f.path.join('.')} ${f.message}. ${f.hint}`);
    if (errors.length > 0) {
      throw new ConfigInvalid(errors.map((f) => `${where(f.path)}: ${f.path.join('.')} ${f.message}`).join('\n'), {
        hint: errors[0]!.hint,
      });
    }
  }

  const fromEnv = new Set<string>();
  const merged = structuredClone(raw);
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (!value) continue;
    setIn(merged, o.path, o.list ? value.split(/[\s,]+/).filter(Boolean) : value);
    fromEnv.add(o.path.join('.'));
  }
  const fromUser = new Set<string>();
  const state = await readUserState(env);
  const targets = merged.targets as Record<string, unknown> | undefined;
  if (!merged.defaultTarget && state.lastProfile && targets?.[state.lastProfile]) {
    merged.defaultTarget = state.lastProfile;
    fromUser.add('defaultTarget');
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const keyPath = issue.path.map(String);
      const extra = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const at = doc ? `${path}:${position(doc, lines, extra[0] ? [...keyPath, extra[0]] : keyPath)}: ` : '';
      const source = fromEnv.has(keyPath.join('.'))
        ? ` (from ${ENV_OVERRIDES.find((o) => o.path.join('.') === keyPath.join('.'))?.env})`
        : '';
      const key = keyPath.join('.') || '(top level)';
      return `${at}${key}${source}: ${issue.message}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    });
    throw new ConfigInvalid(`The config is not valid:\n  ${messages.join('\n  ')}`, {
      hint: 'Fix the keys named above; templates/pgdr.config.example.yaml shows every key with a comment.',
    });
  }

  const origins: Record<string, Origin> = {};
  walkLeaves(parsed.data, [], (p) => {
    const dotted = p.join('.');
    origins[dotted] =
      fromEnv.has(dotted) || [...fromEnv].some((e) => dotted.startsWith(`${e}.`))
        ? 'env'
        : fromUser.has(dotted)
          ? 'user'
          : hasIn(raw, p)
            ? 'file'
            : 'default';
  });
  registerEnvironmentSecrets(env, secretVariables(parsed.data));
  return { config: parsed.data, path: present ? path : undefined, origins, warnings };
}

/** The environment variables the config names as holding secrets: webhook URLs, passphrases, passwords, keys. */
function secretVariables(config: PgdrConfig): string[] {
  const n = config.notifications;
  return [
    ...Object.values(config.targets).flatMap((t) => [t.passwordEnv, t.storage?.secretAccessKeyEnv]),
    config.encryption?.passphraseEnv,
    n?.slack?.webhookUrlEnv,
    n?.discord?.webhookUrlEnv,
    n?.webhook?.urlEnv,
    n?.webhook?.headersEnv,
    n?.email?.smtpUrlEnv,
    n?.email?.passwordEnv,
  ].filter((v): v is string => Boolean(v));
}

/** line:column of the key at `p`, or of its nearest existing parent. */
function position(doc: Document, lines: LineCounter, p: (string | number)[]): string {
  let node: unknown = doc.contents;
  let offset = 0;
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const at = lines.linePos(offset);
  return `${at.line}:${at.col}`;
}

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    if (!cur[key] || typeof cur[key] !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path.at(-1)!] = value;
}

function hasIn(obj: unknown, path: string[]): boolean {
  let cur = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object' || !(key in cur)) return false;
    cur = (cur as Record<string, unknown>)[key];
  }
  return true;
}

function walkLeaves(value: unknown, path: string[], visit: (p: string[]) => void): void {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) walkLeaves(v, [...path, k], visit);
  } else if (path.length > 0) visit(path);
}
