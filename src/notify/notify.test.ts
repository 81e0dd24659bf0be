import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { notify } from './notify.js';
import type { Logger } from '../core/context.js';
import { registerSecret } from '../core/secrets.js';

interface Received {
  path: string;
  body: unknown;
  headers: Record<string, unknown>;
}

const received: Received[] = [];
const failuresLeft = new Map<string, number>([['/flaky', 2]]);
let http: Server;
let base = '';
let smtp: SMTPServer;
let smtpPort = 0;
const mails: string[] = [];

beforeAll(async () => {
  http = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const left = failuresLeft.get(req.url ?? '') ?? 0;
      if (left > 0) {
        failuresLeft.set(req.url!, left - 1);
        res.writeHead(500).end('busy');
        return;
      }
      received.push({ path: req.url ?? '', body: JSON.parse(data), headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'smtp-pass-123') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => {
        mails.push(text);
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await new Promise((r) => smtp.close(() => r(undefined)));
});

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
}

describe('notify', () => {
  it('fans out to slack, discord, a webhook and email, with no secret in any message', async () => {
    registerSecret('pa55word-xyz');
    const env = {
      SLACK_URL: `${base}/slack/T000/B000/token`,
      DISCORD_URL: `${base}/discord`,
      HOOK_URL: `${base}/hook`,
      HOOK_HEADERS: '{"Authorization":"Bearer hook-token-1"}',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`,
    };
    const config = {
      notifications: {
        slack: { webhookUrlEnv: 'SLACK_URL' },
        discord: { webhookUrlEnv: 'DISCORD_URL' },
        webhook: { urlEnv: 'HOOK_URL', headersEnv: 'HOOK_HEADERS' },
        email: { smtpUrlEnv: 'SMTP_URL', from: 'pgdr@example.com', to: ['oncall@example.com'] },
        on: ['backup.failed' as const],
      },
    };
    const log = recordingLogger();
    const deliveries = await notify(
      config,
      {
        type: 'backup.failed',
        severity: 'critical',
        title: 'Backup of app failed',
        details: { database: 'app', error: 'could not connect to postgres://app:pa55word-xyz@db/app' },
      },
      { log, env, backoffMs: 10 },
    );

    expect(deliveries.map((d) => [d.channel, d.ok])).toEqual([
      ['slack', true],
      ['discord', true],
      ['webhook', true],
      ['email', true],
    ]);
    const slack = received.find((r) => r.path.startsWith('/slack'))!.body as { text: string };
    expect(slack.text).toContain('Backup of app failed');
    const hook = received.find((r) => r.path === '/hook')!;
    expect(hook.headers.authorization).toBe('Bearer hook-token-1');
    expect(hook.body).toMatchObject({ type: 'backup.failed', severity: 'critical' });
    expect(mails[0]).toContain('Subject: [pgdr] CRITICAL: Backup of app failed');
    const everything = JSON.stringify(received) + mails.join('');
    expect(everything).not.toContain('pa55word-xyz');
    expect(log.warnings).toEqual([]);
  });

  it('skips events nobody subscribed to', async () => {
    const deliveries = await notify(
      { notifications: { slack: { webhookUrlEnv: 'X' }, on: ['backup.failed'] } },
      { type: 'backup.succeeded', severity: 'info', title: 'ok' },
      { log: recordingLogger(), env: { X: `${base}/x` } },
    );
    expect(deliveries).toEqual([]);
  });

  it('retries a channel that answers 500 twice, then succeeds', async () => {
    const log = recordingLogger();
    const [delivery] = await notify(
      { notifications: { webhook: { urlEnv: 'U' }, on: ['verify.failed'] } },
      { type: 'verify.failed', severity: 'critical', title: 'Verification failed' },
      { log, env: { U: `${base}/flaky` }, backoffMs: 10 },
    );
    expect(delivery).toMatchObject({ ok: true, attempts: 3 });
    expect(received.some((r) => r.path === '/flaky')).toBe(true);
  });

  it('logs a warning and resolves when a channel is down', async () => {
    const log = recordingLogger();
    const deliveries = await notify(
      { notifications: { slack: { webhookUrlEnv: 'DOWN' }, discord: { webhookUrlEnv: 'UNSET' }, on: ['run.aborted'] } },
      { type: 'run.aborted', severity: 'warning', title: 'Drill aborted' },
      { log, env: { DOWN: 'http://127.0.0.1:9/hooks/secret-token-abc' }, backoffMs: 10 },
    );
    expect(deliveries.map((d) => d.ok)).toEqual([false, false]);
    expect(deliveries[0]!.attempts).toBe(3);
    expect(log.warnings.join('\n')).toMatch(/not delivered to slack after 3 attempts/);
    expect(log.warnings.join('\n')).toMatch(/UNSET is not set/);
    expect(log.warnings.join('\n')).not.toContain('secret-token-abc');
  });

  it('sends email through host/port with credentials from env vars, and reports a rejected login without retrying', async () => {
    const email = {
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      userEnv: 'SMTP_USER',
      passwordEnv: 'SMTP_PASS',
      from: 'pgdr@example.com',
      to: ['dba@example.com', 'oncall@example.com'],
    };
    const config = { notifications: { email, on: ['doctor.critical' as const] } };
    const event = {
      type: 'doctor.critical' as const,
      severity: 'critical' as const,
      title: 'Newest backup is 30 hours old',
    };
    const before = mails.length;
    const [sent] = await notify(config, event, {
      log: recordingLogger(),
      env: { SMTP_USER: 'mailer', SMTP_PASS: 'smtp-pass-123' },
      backoffMs: 10,
    });
    expect(sent).toMatchObject({ channel: 'email', ok: true, attempts: 1 });
    expect(mails.length).toBe(before + 1);
    expect(mails.at(-1)).toContain('To: dba@example.com, oncall@example.com');

    const log = recordingLogger();
    const [refused] = await notify(config, event, {
      log,
      env: { SMTP_USER: 'mailer', SMTP_PASS: 'wrong-password-9' },
      backoffMs: 10,
    });
    expect(refused).toMatchObject({ ok: false, attempts: 1 });
    expect(log.warnings.join('\n')).toMatch(/not delivered to email/);
    expect(log.warnings.join('\n')).not.toContain('wrong-password-9');
  });
});
