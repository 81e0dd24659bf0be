import { z } from 'zod';
import { defineAction } from './registry.js';

/**
 * Tells people what is happening. Until src/notify lands this only logs the message (it then shows in the UI,
 * the journal and the report); the lead wires notify(event) in here.
 */
export const notify = defineAction({
  name: 'notify',
  describe: 'Send a message to the team (Slack, Discord, email, webhook once configured); for now it is logged.',
  with: z
    .object({
      message: z.string().min(1),
      level: z.enum(['info', 'warning', 'critical']).default('info'),
      channel: z.string().optional(),
    })
    .strict(),
  outputs: ['sent'],
  idempotent: true,
  async run(ctx, a) {
    const line = `notify${a.channel ? ` ${a.channel}` : ''} [${a.level}]: ${a.message}`;
    if (a.level === 'info') ctx.log.info(line);
    else ctx.log.warn(line);
    return { sent: false };
  },
});
