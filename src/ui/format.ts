import type { ProgressUnit } from '../core/context.js';
import { formatBytes } from '../core/format-bytes.js';

export function formatAmount(amount: number, unit: ProgressUnit): string {
  if (unit === 'bytes') return formatBytes(amount);
  return `${Math.round(amount).toLocaleString('en-US')} ${unit}`;
}

export function formatRate(perSecond: number, unit: ProgressUnit): string {
  return `${formatAmount(perSecond, unit)}/s`;
}

/** A stopwatch reading: 00:07, 12:34, 1:02:03. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Local wall-clock time of an event: 12:03:04. */
export function formatTimeOfDay(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A text bar: ███████░░░ (fraction clamped to 0..1). */
export function bar(fraction: number, width: number): string {
  const w = Math.max(1, width);
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * w);
  return '█'.repeat(filled) + '░'.repeat(w - filled);
}

/** A bar with what is forecast beyond the filled part: █ done, ▒ expected still, ░ the rest of the budget. */
export function forecastBar(fraction: number, forecast: number, width: number): string {
  const w = Math.max(1, width);
  const at = (f: number) => Math.round(Math.min(1, Math.max(0, f)) * w);
  const filled = at(fraction);
  const until = Math.max(filled, at(forecast));
  return '█'.repeat(filled) + '▒'.repeat(until - filled) + '░'.repeat(w - until);
}

/** Screen rows `text` takes when wrapped at `width` columns (each line at least one row). */
export function textRows(text: string, width: number): number {
  const w = Math.max(1, width);
  return text.split('\n').reduce((rows, line) => rows + Math.max(1, Math.ceil([...line].length / w)), 0);
}
