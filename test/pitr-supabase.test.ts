import { afterEach, describe, expect, it } from 'vitest';
import { startSupabaseApi, type FakeSupabaseApi, type FakeSupabaseOptions } from './helpers/supabase-api.js';
import { SupabaseManagementApi, SupabaseApiError } from '../src/supabase/management-api.js';
import { supabasePitrRestore, listPlatformBackups, SupabaseRestoreFailed } from '../src/restore/pitr/supabase.js';
import { TargetOutsideWindow } from '../src/restore/pitr/window.js';
import { redact } from '../src/core/secrets.js';
import type { Logger } from '../src/core/context.js';
import { runPgdr } from './helpers/cli.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ref = 'abcdefghijklmnopqrst';
const token = 'sbp_test_0123456789abcdef';
const latest = Math.floor(Date.now() / 1000) - 120;
const earliest = latest - 7 * 86400;
const servers: FakeSupabaseApi[] = [];
const lines: string[] = [];
const log: Logger = {
  debug: (m) => lines.push(m),
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(m),
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  lines.length = 0;
});

async function given(
  options: Partial<FakeSupabaseOptions> = {},
): Promise<{ server: FakeSupabaseApi; api: SupabaseManagementApi }> {
  const server = await startSupabaseApi({ ref, token, earliest, latest, ...options });
  servers.push(server);
  const api = SupabaseManagementApi.fromEnv(
    { SUPABASE_ACCESS_TOKEN: token, SUPABASE_API_URL: server.url },
    { log, backoffMs: 20 },
  );
  return { server, api };
}

const inWindow = new Date((latest - 3600) * 1000);
const fast = { pollIntervalMs: 20, startGraceMs: 2000, timeoutMs: 10_000, log };

describe('Supabase point-in-time recovery through the Management API', () => {
  it('waits out a 429 as Retry-After says, restores, and follows RESTORING to ACTIVE_HEALTHY', async () => {
    const { server, api } = await given({
      rateLimit: { times: 1, retryAfter: '1' },
      afterRestore: [
        { status: 'RESTORING', polls: 3 },
        { status: 'ACTIVE_HEALTHY', polls: 1 },
      ],
    });
    const result = await supabasePitrRestore({ ref, target: inWindow, api, ...fast });

    expect(result.statuses).toEqual(['RESTORING', 'ACTIVE_HEALTHY']);
    expect(result.health.find((s) => s.name === 'db')?.healthy).toBe(true);
    const [limited, retried] = server.requests;
    expect(limited!.path).toBe(`/v1/projects/${ref}/database/backups`);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe(`/v1/projects/${ref}/database/backups/restore-pitr`);
    expect(post.body).toEqual({ recovery_time_target_unix: latest - 3600 });
    expect(server.requests.at(-1)!.path).toBe(`/v1/projects/${ref}/health?services=db`);
    expect(server.requests.every((r) => r.authorized)).toBe(true);
    expect(lines.join('\n')).not.toContain(token);
    expect(redact(`token ${token}`)).toBe('token ***');
  });

  it('fails loudly when the platform ends in RESTORE_FAILED', async () => {
    const { api } = await given({
      afterRestore: [
        { status: 'RESTORING', polls: 2 },
        { status: 'RESTORE_FAILED', polls: 1 },
      ],
    });
    await expect(supabasePitrRestore({ ref, target: inWindow, api, ...fast })).rejects.toThrow(SupabaseRestoreFailed);
  });

  it('retries a 503 on a status poll', async () => {
    const { api } = await given({
      unavailable: 2,
      afterRestore: [
        { status: 'RESTORING', polls: 1 },
        { status: 'ACTIVE_HEALTHY', polls: 1 },
      ],
    });
    const result = await supabasePitrRestore({ ref, target: inWindow, api, ...fast });
    expect(result.statuses.at(-1)).toBe('ACTIVE_HEALTHY');
  });

  it('refuses a target outside the window without any POST', async () => {
    const { server, api } = await given();
    const future = new Date((latest + 600) * 1000);
    await expect(supabasePitrRestore({ ref, target: future, api, ...fast })).rejects.toThrow(TargetOutsideWindow);
    const tooOld = new Date((earliest - 1) * 1000);
    await expect(supabasePitrRestore({ ref, target: tooOld, api, ...fast })).rejects.toThrow(
      /before the recoverable window/,
    );
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('refuses when PITR is not enabled, and explains 401 and 404', async () => {
    const { server, api } = await given({ pitrEnabled: false });
    await expect(supabasePitrRestore({ ref, target: inWindow, api, ...fast })).rejects.toThrow(/not enabled/);
    const wrongToken = SupabaseManagementApi.fromEnv({
      SUPABASE_ACCESS_TOKEN: 'sbp_wrong_token_value',
      SUPABASE_API_URL: server.url,
    });
    await expect(wrongToken.getBackups(ref)).rejects.toMatchObject({
      status: 401,
      hint: expect.stringContaining('SUPABASE_ACCESS_TOKEN'),
    });
    await expect(api.getBackups('zzzzzzzzzzzzzzzzzzzz')).rejects.toBeInstanceOf(SupabaseApiError);
    await expect(api.getBackups('zzzzzzzzzzzzzzzzzzzz')).rejects.toMatchObject({ status: 404 });
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('lists the platform backups and the PITR window', async () => {
    const { api } = await given();
    const list = await listPlatformBackups(ref, { api });
    expect(list.pitrEnabled).toBe(true);
    expect(list.window?.earliest.getTime()).toBe(earliest * 1000);
    expect(list.window?.latest?.getTime()).toBe(latest * 1000);
    expect(list.backups.map((b) => [b.kind, b.status])).toEqual([
      ['physical', 'COMPLETED'],
      ['physical', 'COMPLETED'],
    ]);
    expect(list.backups[0]!.insertedAt > list.backups[1]!.insertedAt).toBe(true);
  });

  it('pgdr pitr info / restore --supabase-project: the dry run posts nothing, the real one restores, the token is never printed', async () => {
    const { server } = await given({
      afterRestore: [
        { status: 'RESTORING', polls: 1 },
        { status: 'ACTIVE_HEALTHY', polls: 1 },
      ],
    });
    const env = { SUPABASE_ACCESS_TOKEN: token, SUPABASE_API_URL: server.url };
    const to = new Date((latest - 3600) * 1000).toISOString();

    const info = await runPgdr(['pitr', 'info', '--supabase-project', ref], { env });
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('PITR enabled');
    const listed = await runPgdr(['backups', 'list', '--supabase-project', ref], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(info.stdout);

    const dry = await runPgdr(['pitr', 'restore', '--to', to, '--supabase-project', ref, '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`"recovery_time_target_unix": ${latest - 3600}`);
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);

    const outside = await runPgdr(
      ['pitr', 'restore', '--to', new Date((latest + 60) * 1000).toISOString(), '--supabase-project', ref],
      { env },
    );
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('after the recoverable window');
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);

    const real = await runPgdr(
      ['pitr', 'restore', '--to', to, '--supabase-project', ref, '--json', '--poll-interval', '0.05'],
      { env },
    );
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({
      ref,
      recoveryTimeTargetUnix: latest - 3600,
      statuses: ['RESTORING', 'ACTIVE_HEALTHY'],
    });
    for (const out of [info, dry, outside, real]) expect(out.stdout + out.stderr).not.toContain(token);
  });

  it.each([
    ['pitr restore --to', ['--poll-interval', '0.05']],
    ['restore --pitr', []],
  ])(
    'pgdr %s … --supabase-project: Ctrl-C while the platform restores stops with 130, and the audit log says so',
    async (command, extra) => {
      const { server } = await given({ afterRestore: [{ status: 'RESTORING', polls: 100_000 }] });
      const home = mkdtempSync(join(tmpdir(), 'pgdr-home-'));
      const env = { SUPABASE_ACCESS_TOKEN: token, SUPABASE_API_URL: server.url, PGDR_HOME: home };
      const to = new Date((latest - 3600) * 1000).toISOString();
      let pid = 0;
      const running = runPgdr([...command.split(' '), to, '--supabase-project', ref, ...extra], {
        env,
        onSpawn: (p) => (pid = p),
      });
      for (let i = 0; i < 2000 && !server.requests.some((r) => r.method === 'POST'); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(server.requests.some((r) => r.method === 'POST')).toBe(true);
      process.kill(pid, 'SIGINT');
      const r = await running;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toContain('the restore it asked the platform for goes on');
      const audit = readFileSync(join(home, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(audit).toMatchObject([{ command: 'pitr restore', result: 'aborted', target: `supabase:${ref}` }]);
      expect(r.stdout + r.stderr + JSON.stringify(audit)).not.toContain(token);
    },
  );
});
