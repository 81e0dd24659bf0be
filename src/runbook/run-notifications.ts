import { notify } from '../notify/index.js';
import { formatDuration } from '../core/duration.js';
import type { Severity } from '../notify/event.js';
import type { NotifyEventType } from '../config/schema.js';
import type { RunStatus } from './events.js';
import type { EngineCore } from './engine-core.js';

/**
 * Tells the configured channels that the run began (once preflight passed), and how it ended: run.started,
 * run.finished, run.aborted, filtered by the config's `on:` list. A run that stopped in preflight told nobody it
 * began, so it tells nobody it ended either.
 */
export class RunAnnouncer {
  private announced = false;

  constructor(private readonly core: Pick<EngineCore, 'services' | 'runId' | 'mode' | 'runbook' | 'log'>) {}

  async started(operator: string, resumed: boolean): Promise<void> {
    this.announced = true;
    const what = resumed ? 'resumed' : 'started';
    await this.send('run.started', 'critical', `${this.title()} ${what} by ${operator}`, { operator });
  }

  async ended(end: { status: RunStatus; durationMs: number; rtoMs?: number; rtoMet?: boolean; error?: string }) {
    if (!this.announced) return;
    const type: NotifyEventType = end.status === 'aborted' ? 'run.aborted' : 'run.finished';
    await this.send(type, end.status === 'passed' ? 'info' : 'critical', `${this.title()} ${end.status}`, {
      took: formatDuration(end.durationMs),
      rto: end.rtoMs === undefined ? undefined : `${formatDuration(end.rtoMs)} ${end.rtoMet ? 'met' : 'not met'}`,
      error: end.error,
    });
  }

  private title(): string {
    return `${this.core.mode === 'drill' ? 'Drill' : 'Incident'} run ${this.core.runbook.title}`;
  }

  private async send(
    type: NotifyEventType,
    severity: Severity,
    title: string,
    details: Record<string, string | undefined>,
  ): Promise<void> {
    const notifications = this.core.services.notifications;
    if (!notifications) return;
    const log = {
      debug: (m: string) => this.core.log('debug', m),
      info: (m: string) => this.core.log('info', m),
      warn: (m: string) => this.core.log('warn', m),
      error: (m: string) => this.core.log('error', m),
    };
    const deliveries = await notify(
      { notifications },
      { type, severity, title, details: { run: this.core.runId, mode: this.core.mode, ...details } },
      { log, tries: 2, backoffMs: 500 },
    );
    const sent = deliveries.filter((d) => d.ok).map((d) => d.channel);
    if (sent.length) this.core.log('info', `Told ${sent.join(', ')}: ${type}.`);
  }
}
