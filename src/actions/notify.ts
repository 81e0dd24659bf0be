import { z } from 'zod';
import { defineAction, StepSkipped } from './registry.js';
import { PgdrError } from '../core/errors.js';
import { notify as send } from '../notify/index.js';
import { NOTIFY_EVENTS } from '../config/schema.js';

const CHANNELS = ['slack', 'discord', 'email', 'webhook'] as const;

/** Tells people what is happening: to every configured channel (or the one named), always logged in the run too. */
export const notify = defineAction({
  name: 'notify',
  describe:
    'Send a message to the team through the configured channels (Slack, Discord, email, webhook); always logged.',
  with: z
    .object({
      message: z.string().min(1),
      level: z.enum(['info', 'warning', 'critical']).default('info'),
      channel: z.enum(CHANNELS).optional().describe('Only this channel (default: every configured one)'),
      event: z.enum(NOTIFY_EVENTS).default('run.started').describe('Event type the receivers see'),
    })
    .strict(),
  outputs: ['sent', 'channels'],
  idempotent: true,
  advisory: true,
  async run(ctx, a) {
    // The run's log keeps what the team was to be told; whether it went out is said after, by the channels' answer.
    ctx.log.info(`message for the team${a.channel ? ` (${a.channel} only)` : ''} (${a.level}): ${a.message}`);
    const configured = ctx.services.notifications;
    if (!configured) throw new StepSkipped('no notification channel configured; nobody was told');
    // A runbook step asks for this message explicitly, so the config's `on:` filter does not apply to it.
    const pick = <K extends (typeof CHANNELS)[number]>(name: K) =>
      !a.channel || a.channel === name ? configured[name] : undefined;
    const notifications = {
      slack: pick('slack'),
      discord: pick('discord'),
      email: pick('email'),
      webhook: pick('webhook'),
      on: [a.event],
    };
    const deliveries = await send(
      { notifications },
      {
        type: a.event,
        title: a.message,
        severity: a.level,
        details: { run: ctx.runId, mode: ctx.mode, step: ctx.stepId },
      },
      { log: ctx.log, tries: 2, backoffMs: 500 },
    );
    if (deliveries.length === 0)
      throw new StepSkipped(
        `no ${a.channel ? `${a.channel} channel` : 'notification channel'} configured; nobody was told`,
      );
    const ok = deliveries.filter((d) => d.ok).map((d) => d.channel);
    if (ok.length === 0)
      throw new PgdrError(
        `Not delivered: ${deliveries.map((d) => `${d.channel}: ${d.error ?? 'refused'}`).join('; ')}.`,
        {
          hint: 'The run goes on; tell the team another way, and check the notifications section of pgdr.config.yaml.',
        },
      );
    ctx.log.info(`Sent to ${ok.join(', ')}.`);
    return { sent: true, channels: ok.join(',') };
  },
});
