import { redact } from '../core/secrets.js';
import type { LoadedConfig, Origin } from './load.js';

export interface ConfigLine {
  key: string;
  value: unknown;
  origin: Origin;
}

/** The merged config as key = value lines with their origin; values pass through redact(). */
export function describeConfig(loaded: LoadedConfig): ConfigLine[] {
  return Object.entries(loaded.origins)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, origin]) => ({ key, value: redactValue(valueAt(loaded.config, key.split('.'))), origin }));
}

export function redactedConfig(loaded: LoadedConfig): unknown {
  return redactValue(loaded.config);
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  return value;
}

function valueAt(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const key of path) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return cur;
}
