import { z } from 'zod';
import { defineAction, type ActionContext } from './registry.js';
import { registerSecret } from '../core/secrets.js';
import { PgdrError } from '../core/errors.js';

const request = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .describe('A string, or JSON'),
    expectStatus: z.array(z.number().int()).optional().describe('Accepted statuses (default: any 2xx)'),
  })
  .strict();

export type HttpRequestArgs = z.output<typeof request>;

export class HttpRequestFailed extends PgdrError {}

/** Sends one request; header values are registered as secrets (they are usually tokens). */
export async function sendRequest(ctx: ActionContext, r: HttpRequestArgs): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  // A line break in a header value would start a header of the value's choosing.
  const forged = Object.entries(headers).find(([, v]) => /[\u0000-\u001f\u007f]/.test(v));
  if (forged)
    throw new HttpRequestFailed(`Header ${forged[0]} holds a control character; the request was not sent.`, {
      hint: 'A header value is one line of text; look at where its value came from.',
    });
  for (const value of Object.values(headers)) registerSecret(value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
  let body: string | undefined;
  if (typeof r.body === 'string') body = r.body;
  else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(r.url, { method: r.method, headers, body, signal: ctx.signal });
  } catch (error) {
    throw new HttpRequestFailed(
      `${r.method} ${r.url} failed: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
      { hint: 'Is the service reachable from this host?' },
    );
  }
  const text = (await response.text()).slice(0, 4096);
  const ok = r.expectStatus
    ? r.expectStatus.includes(response.status)
    : response.status >= 200 && response.status < 300;
  if (!ok)
    throw new HttpRequestFailed(`${r.method} ${r.url} answered ${response.status}: ${text.slice(0, 200)}`, {
      hint: 'Check the URL, the credentials in the headers and the service logs.',
    });
  return { status: response.status, body: text };
}

export const httpRequest = defineAction({
  name: 'http.request',
  describe:
    'Send an HTTP request (maintenance mode on, a deploy hook…); `undo` is the request that reverses it (maintenance off).',
  with: request
    .extend({
      undo: request.partial({ method: true }).optional().describe('The request that reverses this one, sent on abort'),
    })
    .strict(),
  templates: { url: 'url', 'undo.url': 'url', body: 'whole', 'undo.body': 'whole' },
  outputs: ['status', 'body'],
  async run(ctx, a) {
    const result = await sendRequest(ctx, a);
    ctx.log.info(`${a.method} ${a.url} → ${result.status}`);
    return result;
  },
  async undo(ctx, a) {
    if (!a.undo) {
      ctx.log.warn(`No undo request given for ${a.method} ${a.url}; nothing to reverse.`);
      return;
    }
    const result = await sendRequest(ctx, { ...a.undo, method: a.undo.method ?? 'POST' });
    ctx.log.info(`undo: ${a.undo.method ?? 'POST'} ${a.undo.url} → ${result.status}`);
  },
});
