import { hostname } from 'node:os';
import { errorMessage } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import type { Logger } from '../core/context.js';
import type { Env } from '../core/env.js';
import type { PgdrConfig } from '../config/schema.js';
import { channelsFor, DeliveryFailed, type ChannelName } from './channels.js';
import { renderMessage, type NotifyEvent } from './event.js';

export interface NotifyOptions {
  log: Logger;
  env?: Env;
  /** Attempts per channel (default 3) and the first backoff delay (default 1 s, doubling). */
  tries?: number;
  backoffMs?: number;
}

export interface Delivery {
  channel: ChannelName;
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Sends `event` to every channel subscribed to its type. Never throws: a notification that cannot be delivered
 * is logged as a warning, because the backup or restore it reports on must not fail for it.
 */
export async function notify(
  config: Pick<PgdrConfig, 'notifications'>,
  event: NotifyEvent,
  options: NotifyOptions,
): Promise<Delivery[]> {
  try {
    const notifications = config.notifications;
    if (!notifications || !notifications.on.includes(event.type)) return [];
    const message = renderMessage(event, hostname());
    const channels = channelsFor(notifications, options.env ?? process.env);
    return await Promise.all(
      channels.map(async (channel): Promise<Delivery> => {
        const tries = options.tries ?? 3;
        let delay = options.backoffMs ?? 1000;
        for (let attempt = 1; ; attempt++) {
          try {
            await channel.send(event, message);
            if (attempt > 1) options.log.info(`Notification sent to ${channel.name} after ${attempt} attempts.`);
            return { channel: channel.name, ok: true, attempts: attempt };
          } catch (error) {
            const text = redact(errorMessage(error));
            const retryable = !(error instanceof DeliveryFailed) || error.retryable;
            if (!retryable || attempt >= tries) {
              options.log.warn(
                `Notification "${event.type}" not delivered to ${channel.name} after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${text}. The operation itself is unaffected; check the notifications section of pgdr.config.yaml.`,
              );
              return { channel: channel.name, ok: false, attempts: attempt, error: text };
            }
            await new Promise((r) => setTimeout(r, delay));
            delay *= 2;
          }
        }
      }),
    );
  } catch (error) {
    options.log.warn(`Notifications failed: ${redact(errorMessage(error))}`);
    return [];
  }
}
