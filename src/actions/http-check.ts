import { z } from 'zod';
import { defineAction } from './registry.js';
import { parseDuration, DURATION_PATTERN } from '../core/duration.js';
import { sleep } from '../core/sleep.js';
import { PgdrError } from '../core/errors.js';

export const httpCheck = defineAction({
  name: 'http.check',
  describe: 'Poll a health endpoint until it answers the expected status (and text), or give up after `within`.',
  with: z
    .object({
      url: z.string().url(),
      expectStatus: z.number().int().default(200),
      contains: z.string().optional().describe('Text the body must contain'),
      within: z.string().regex(DURATION_PATTERN).default('60s').describe('Keep trying this long'),
      interval: z.string().regex(DURATION_PATTERN).default('2s'),
    })
    .strict(),
  templates: { url: 'url' },
  outputs: ['status', 'attempts', 'passed', 'summary'],
  idempotent: true,
  validation: true,
  async run(ctx, a) {
    const deadline = ctx.now() + parseDuration(a.within);
    let last: string;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(a.url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]) });
        const body = await response.text();
        if (response.status === a.expectStatus && (!a.contains || body.includes(a.contains))) {
          const summary = `${a.url} healthy (${response.status}) after ${attempt} attempt(s)`;
          ctx.log.info(summary);
          return { status: response.status, attempts: attempt, passed: true, summary };
        }
        last = `status ${response.status}${a.contains && !body.includes(a.contains) ? `, body lacks "${a.contains}"` : ''}`;
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        last = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      }
      if (ctx.now() >= deadline) {
        throw new PgdrError(`${a.url} is not healthy after ${a.within} (${attempt} attempts; last: ${last}).`, {
          hint: 'Check the application logs and that it points at the restored database.',
        });
      }
      ctx.log.debug(`${a.url}: ${last}; trying again`);
      await sleep(parseDuration(a.interval), ctx.signal);
    }
  },
});
