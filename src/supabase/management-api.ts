import { Aborted, PgdrError, UsageError, errorMessage } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { redact, registerSecret } from '../core/secrets.js';
import { silentLogger, type Logger } from '../core/context.js';
import type { BackupsResponse, HealthResponse, ProjectResponse } from './types.js';

export const DEFAULT_SUPABASE_API_URL = 'https://api.supabase.com';

export class SupabaseApiError extends PgdrError {
  constructor(
    message: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, { hint });
  }
}

export interface SupabaseApiOptions {
  token: string;
  baseUrl?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Attempts per request after a 429 / 5xx / network error; default 5. */
  maxRetries?: number;
  /** First backoff when the server gives no Retry-After, in ms; doubles each time. Default 1000. */
  backoffMs?: number;
}

const REF = /^[a-z]{20}$/;

export function assertProjectRef(ref: string): void {
  if (!REF.test(ref)) {
    throw new UsageError(
      `"${ref}" is not a Supabase project ref.`,
      'It is the 20-letter id in the project URL: https://supabase.com/dashboard/project/<ref>.',
    );
  }
}

/**
 * The Supabase Management API (api.supabase.com/v1), for what pgdr needs: backups, PITR restore, project status and
 * health. The token travels only in the Authorization header and is registered as a secret so it is never printed.
 */
export class SupabaseManagementApi {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly log: Logger;

  constructor(private readonly options: SupabaseApiOptions) {
    registerSecret(options.token);
    this.token = options.token;
    this.baseUrl = (options.baseUrl ?? DEFAULT_SUPABASE_API_URL).replace(/\/+$/, '');
    this.log = options.log ?? silentLogger;
  }

  /** SUPABASE_ACCESS_TOKEN and, for tests or proxies, SUPABASE_API_URL. */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    options: Omit<SupabaseApiOptions, 'token' | 'baseUrl'> = {},
  ): SupabaseManagementApi {
    const token = env.SUPABASE_ACCESS_TOKEN;
    if (!token) {
      throw new UsageError(
        'SUPABASE_ACCESS_TOKEN is not set.',
        'Create a personal access token at https://supabase.com/dashboard/account/tokens and export it as SUPABASE_ACCESS_TOKEN.',
      );
    }
    return new SupabaseManagementApi({ ...options, token, baseUrl: env.SUPABASE_API_URL || undefined });
  }

  getBackups(ref: string): Promise<BackupsResponse> {
    assertProjectRef(ref);
    return this.request<BackupsResponse>('GET', `/v1/projects/${ref}/database/backups`, { ref });
  }

  async restorePitr(ref: string, recoveryTimeTargetUnix: number): Promise<void> {
    assertProjectRef(ref);
    await this.request('POST', `/v1/projects/${ref}/database/backups/restore-pitr`, {
      ref,
      body: { recovery_time_target_unix: recoveryTimeTargetUnix },
    });
  }

  getProject(ref: string): Promise<ProjectResponse> {
    assertProjectRef(ref);
    return this.request<ProjectResponse>('GET', `/v1/projects/${ref}`, { ref });
  }

  getHealth(ref: string, services: string[] = ['db']): Promise<HealthResponse> {
    assertProjectRef(ref);
    const query = services.map((s) => `services=${encodeURIComponent(s)}`).join('&');
    return this.request<HealthResponse>('GET', `/v1/projects/${ref}/health?${query}`, { ref });
  }

  /**
   * 429: waits for Retry-After (or backs off) and retries, for any method, as the request was not processed.
   * 5xx and network errors: retried for GET only, since repeating a POST could start a second restore.
   */
  async request<T>(method: 'GET' | 'POST', path: string, context: { ref: string; body?: unknown }): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 5;
    let backoff = this.options.backoffMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.baseUrl + path, {
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(context.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: context.body === undefined ? undefined : JSON.stringify(context.body),
          signal: this.options.signal,
        });
      } catch (error) {
        if (this.options.signal?.aborted) throw new Aborted(`Stopped during ${method} ${path}.`);
        if (method !== 'GET' || attempt >= maxRetries) {
          throw new SupabaseApiError(
            `Could not reach the Supabase Management API at ${this.baseUrl}: ${redact(errorMessage(error))}`,
            0,
            'Check your network, proxy or SUPABASE_API_URL.',
          );
        }
        await this.wait(backoff, `network error on ${method} ${path}`);
        backoff *= 2;
        continue;
      }
      if (response.ok) {
        const text = await response.text();
        return (text ? JSON.parse(text) : undefined) as T;
      }
      const retryable = response.status === 429 || (response.status >= 500 && method === 'GET');
      if (retryable && attempt < maxRetries) {
        const delay =
          response.status === 429 ? (retryAfterMs(response.headers.get('retry-after')) ?? backoff) : backoff;
        await response.body?.cancel();
        await this.wait(delay, `HTTP ${response.status} on ${method} ${path}`);
        backoff *= 2;
        continue;
      }
      throw await apiError(response, method, path, context.ref);
    }
  }

  private async wait(ms: number, why: string): Promise<void> {
    const capped = Math.min(ms, 120_000);
    this.log.warn(`Supabase API: ${why}; retrying in ${Math.ceil(capped / 1000)} s`);
    await sleep(capped, this.options.signal);
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function apiError(response: Response, method: string, path: string, ref: string): Promise<SupabaseApiError> {
  const text = await response.text().catch(() => '');
  let detail = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { message?: string; error?: string };
    detail = body.message ?? body.error ?? detail;
  } catch {
    // Not JSON: the text itself is the detail.
  }
  const said = detail ? `: ${redact(detail)}` : '';
  const status = response.status;
  if (status === 401) {
    return new SupabaseApiError(
      `The Supabase Management API refused the access token (HTTP 401)${said}`,
      status,
      'Check SUPABASE_ACCESS_TOKEN, or create a new token at https://supabase.com/dashboard/account/tokens.',
    );
  }
  if (status === 403) {
    return new SupabaseApiError(
      `The access token may not do ${method} ${path} (HTTP 403)${said}`,
      status,
      `Use a token of an account with the Owner or Administrator role on project ${ref}; PITR also needs the PITR add-on.`,
    );
  }
  if (status === 404) {
    return new SupabaseApiError(
      `Supabase project ${ref} was not found (HTTP 404)${said}`,
      status,
      "Check the project ref (the 20-letter id in the project URL) and that the token's account can see it.",
    );
  }
  if (status === 429) {
    return new SupabaseApiError(
      `The Supabase Management API kept rate-limiting ${method} ${path} (HTTP 429).`,
      status,
      'Wait a minute and retry; other tools using the same token share its rate limit.',
    );
  }
  let hint: string | undefined;
  if (status >= 500 && method === 'POST')
    hint = `The platform had an error and may or may not have acted: check the project's status (pgdr pitr info --supabase-project ${ref}, or the dashboard) before retrying.`;
  else if (status >= 500) hint = 'The platform had an error; retry shortly, and check https://status.supabase.com.';
  return new SupabaseApiError(
    `Supabase Management API ${method} ${path} failed with HTTP ${status}${said}`,
    status,
    hint,
  );
}
