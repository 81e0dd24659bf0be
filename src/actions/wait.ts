import { z } from 'zod';
import { defineAction } from './registry.js';
import { DURATION_PATTERN, parseDuration } from '../core/duration.js';
import { sleep } from '../core/sleep.js';

export const wait = defineAction({
  name: 'wait',
  describe: 'Wait a while (DNS TTLs, replication catch-up, caches), showing progress.',
  with: z.object({ duration: z.string().regex(DURATION_PATTERN), message: z.string().optional() }).strict(),
  outputs: [],
  idempotent: true,
  async run(ctx, a) {
    const total = parseDuration(a.duration);
    if (a.message) ctx.log.info(a.message);
    const tick = Math.min(1000, Math.max(50, total / 20));
    for (let done = 0; done < total; done += tick) {
      if (total >= 2000)
        ctx.progress({
          label: 'wait (s)',
          done: Math.round(done / 1000),
          total: Math.round(total / 1000),
          unit: 'items',
        });
      await sleep(Math.min(tick, total - done), ctx.signal);
    }
    return {};
  },
});
