import { redact } from '../core/secrets.js';
import type { NotifyEventType } from '../config/schema.js';

export type Severity = 'info' | 'warning' | 'critical';

/** What happened, in the operator's words; `details` are short key/value facts (database, backup id, RTO). */
export interface NotifyEvent {
  type: NotifyEventType;
  title: string;
  severity: Severity;
  details?: Record<string, string | number | boolean | undefined>;
}

export interface RenderedMessage {
  title: string;
  lines: string[];
  text: string;
}

const ICON: Record<Severity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

/** Every string that leaves in a notification passes through redact(). */
export function renderMessage(event: NotifyEvent, host: string): RenderedMessage {
  const title = redact(`${ICON[event.severity]} pgdr: ${event.title}`);
  const lines = Object.entries(event.details ?? {})
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => redact(`${k}: ${String(v)}`));
  lines.push(`host: ${host}`, `event: ${event.type}`);
  return { title, lines, text: [title, ...lines].join('\n') };
}

export function redactedDetails(event: NotifyEvent): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(event.details ?? {})) {
    if (v !== undefined) out[k] = typeof v === 'string' ? redact(v) : v;
  }
  return out;
}
