import nodemailer from 'nodemailer';
import { PgdrError, errorMessage } from '../core/errors.js';
import { registerSecret, redact } from '../core/secrets.js';
import type { Env } from '../core/env.js';
import type { EmailChannelConfig, NotificationsConfig } from '../config/schema.js';
import { redactedDetails, type NotifyEvent, type RenderedMessage } from './event.js';

export type ChannelName = 'slack' | 'discord' | 'email' | 'webhook';

export interface Channel {
  name: ChannelName;
  send(event: NotifyEvent, message: RenderedMessage): Promise<void>;
}

/** A failure worth retrying (network, 5xx, 429) or not (4xx, missing env var). */
export class DeliveryFailed extends PgdrError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

export function channelsFor(notifications: NotificationsConfig, env: Env): Channel[] {
  const channels: Channel[] = [];
  const { slack, discord, email, webhook } = notifications;
  if (slack) channels.push(httpChannel('slack', slack.webhookUrlEnv, env, (_e, m) => ({ text: m.text })));
  if (discord) {
    channels.push(
      httpChannel('discord', discord.webhookUrlEnv, env, (e, m) => ({
        content: m.title,
        embeds: [
          {
            description: m.lines.join('\n'),
            color: e.severity === 'critical' ? 0xd92d20 : e.severity === 'warning' ? 0xf79009 : 0x2e90fa,
          },
        ],
      })),
    );
  }
  if (webhook) {
    channels.push(
      httpChannel(
        'webhook',
        webhook.urlEnv,
        env,
        (e, m) => ({
          type: e.type,
          severity: e.severity,
          title: m.title,
          details: redactedDetails(e),
          text: m.text,
          sentAt: new Date().toISOString(),
        }),
        webhook.headersEnv,
      ),
    );
  }
  if (email) channels.push(emailChannel(email, env));
  return channels;
}

function secretEnv(env: Env, name: string, channel: ChannelName): string {
  const value = env[name];
  if (!value) throw new DeliveryFailed(`${channel}: ${name} is not set`, false);
  registerSecret(value);
  return value;
}

function httpChannel(
  name: ChannelName,
  urlEnv: string,
  env: Env,
  body: (e: NotifyEvent, m: RenderedMessage) => unknown,
  headersEnv?: string,
): Channel {
  return {
    name,
    async send(event, message) {
      const url = secretEnv(env, urlEnv, name);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (headersEnv) Object.assign(headers, parseHeaders(secretEnv(env, headersEnv, name), headersEnv));
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(body(event, message)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error);
        throw new DeliveryFailed(`${name}: could not reach the endpoint (${redact(String(cause))})`, true);
      }
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw new DeliveryFailed(
          `${name}: the endpoint answered HTTP ${response.status}`,
          response.status >= 500 || response.status === 429,
        );
      }
    },
  };
}

function parseHeaders(text: string, envName: string): Record<string, string> {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      out[k] = String(v);
      registerSecret(String(v));
    }
    return out;
  } catch {
    throw new DeliveryFailed(
      `webhook: ${envName} must hold a JSON object of headers, e.g. {"Authorization":"Bearer …"}`,
      false,
    );
  }
}

function emailChannel(config: EmailChannelConfig, env: Env): Channel {
  return {
    name: 'email',
    async send(event, message) {
      const transport = config.smtpUrlEnv
        ? nodemailer.createTransport(secretEnv(env, config.smtpUrlEnv, 'email'))
        : nodemailer.createTransport({
            host: config.host,
            port: config.port ?? 587,
            secure: config.secure ?? config.port === 465,
            auth: config.userEnv
              ? {
                  user: secretEnv(env, config.userEnv, 'email'),
                  pass: config.passwordEnv ? secretEnv(env, config.passwordEnv, 'email') : '',
                }
              : undefined,
            connectionTimeout: TIMEOUT_MS,
            greetingTimeout: TIMEOUT_MS,
          });
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: `[pgdr] ${event.severity.toUpperCase()}: ${message.title.replace(/^\S+ pgdr: /, '')}`,
          text: message.text,
        });
      } catch (error) {
        // SMTP 4xx replies are temporary, 5xx permanent.
        const code = (error as { responseCode?: number }).responseCode;
        throw new DeliveryFailed(
          `email: ${redact(errorMessage(error))}`,
          code === undefined || (code >= 400 && code < 500),
        );
      } finally {
        transport.close();
      }
    },
  };
}
