import { z } from 'zod';
import { cronProblem } from './cron.js';
import { COLDER_CLASSES, type ColderClass } from '../storage/storage-classes.js';

/** Environment variable names: secrets live there, never in the config file. */
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as DATABASE_URL');

export const ROLES = ['production', 'staging', 'scratch'] as const;
export type TargetRole = (typeof ROLES)[number];

export const NOTIFY_EVENTS = [
  'backup.failed',
  'backup.succeeded',
  'verify.failed',
  'run.started',
  'run.finished',
  'run.aborted',
  'doctor.critical',
] as const;
export type NotifyEventType = (typeof NOTIFY_EVENTS)[number];

/** Supabase Storage's S3-compatible endpoint (https://<ref>.supabase.co/storage/v1/s3) and its keys, by env var name. */
const storageFilesSchema = z
  .object({
    s3Endpoint: z.string().url(),
    region: z.string().optional(),
    accessKeyIdEnv: envName,
    secretAccessKeyEnv: envName,
    buckets: z.array(z.string().min(1)).optional(),
  })
  .strict();

const targetSchema = z
  .object({
    url: z.string().optional(),
    urlEnv: envName.optional(),
    role: z.enum(ROLES),
    supabase: z.boolean().default(false),
    passwordEnv: envName.optional(),
    storage: storageFilesSchema.optional(),
  })
  .strict()
  .refine((t) => Boolean(t.url) !== Boolean(t.urlEnv), { message: 'give exactly one of url or urlEnv' });

const storageClass = z.enum(COLDER_CLASSES as [ColderClass, ...ColderClass[]]);

/** Backups no one can delete for `days`: S3 Object Lock in `mode`, or a local backup made read-only and immutable. */
export const lockSchema = z
  .object({
    days: z.number().int().min(1).max(36500),
    mode: z.enum(['governance', 'compliance']).optional(),
  })
  .strict();

const repositorySchema = z
  .object({
    url: z.string().min(1),
    s3Endpoint: z.string().optional(),
    region: z.string().optional(),
    s3: z
      .object({
        /** The storage class a backup moves to when prune keeps it as a monthly or yearly keeper. */
        storageClass: z
          .object({ monthly: storageClass.optional(), yearly: storageClass.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    lock: lockSchema.optional(),
  })
  .strict();

/** pgBackRest's stanza for physical (full, differential, incremental) backups and WAL archiving. */
const pgbackrestSchema = z
  .object({
    stanza: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'is not a stanza name (letters, digits, -, _, .)'),
    configPath: z.string().optional(),
  })
  .strict();

const encryptionSchema = z
  .object({
    recipients: z
      .array(z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age public key (age1…)'))
      .default([]),
    identityFile: z.string().optional(),
    passphraseEnv: envName.optional(),
  })
  .strict();

const slackSchema = z.object({ webhookUrlEnv: envName }).strict();
const discordSchema = z.object({ webhookUrlEnv: envName }).strict();
const webhookSchema = z.object({ urlEnv: envName, headersEnv: envName.optional() }).strict();
const emailSchema = z
  .object({
    smtpUrlEnv: envName.optional(),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    secure: z.boolean().optional(),
    userEnv: envName.optional(),
    passwordEnv: envName.optional(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  })
  .strict()
  .refine((e) => Boolean(e.smtpUrlEnv) || Boolean(e.host), { message: 'give smtpUrlEnv or host' });

const notificationsSchema = z
  .object({
    slack: slackSchema.optional(),
    discord: discordSchema.optional(),
    email: emailSchema.optional(),
    webhook: webhookSchema.optional(),
    on: z.array(z.enum(NOTIFY_EVENTS)).default(['backup.failed', 'verify.failed', 'run.aborted', 'doctor.critical']),
  })
  .strict();

/**
 * The seeds' schedule: full daily 02:00 UTC, schema Sunday 03:00, prune 04:00, verify weekly, doctor hourly; with a
 * pgBackRest stanza also a physical full nightly (01:00) and an incremental every 6 hours.
 */
export const DEFAULT_SCHEDULES = {
  full: '0 2 * * *',
  schema: '0 3 * * 0',
  prune: '0 4 * * *',
  verify: '0 5 * * 0',
  doctor: '15 * * * *',
  physicalFull: '0 1 * * *',
  differential: 'off',
  incremental: '0 */6 * * *',
} as const;

const cron = z.literal('off').or(
  z.string().superRefine((expression, ctx) => {
    const problem = cronProblem(expression);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a cron expression cron accepts: ${problem}` });
  }),
);

const schedulesSchema = z
  .object({
    full: cron.default(DEFAULT_SCHEDULES.full),
    schema: cron.default(DEFAULT_SCHEDULES.schema),
    prune: cron.default(DEFAULT_SCHEDULES.prune),
    verify: cron.default(DEFAULT_SCHEDULES.verify),
    doctor: cron.default(DEFAULT_SCHEDULES.doctor),
    physicalFull: cron.default(DEFAULT_SCHEDULES.physicalFull),
    differential: cron.default(DEFAULT_SCHEDULES.differential),
    incremental: cron.default(DEFAULT_SCHEDULES.incremental),
  })
  .strict();

/** A plan's weekly export of named tables, kept `keepWeeks` weeks in the repository. */
const exportSchema = z
  .object({
    tables: z.array(z.string().min(1).max(200)).min(1).max(1000),
    format: z.enum(['csv', 'sql', 'json']).default('csv'),
    schedule: cron.default('0 1 * * 0'),
    keepWeeks: z.number().int().min(1).max(5200).default(12),
    profile: z.string().optional(),
  })
  .strict();

const retentionSchema = z
  .object({
    keepDaily: z.number().int().min(0).default(7),
    keepWeekly: z.number().int().min(0).default(4),
    keepMonthly: z.number().int().min(0).default(12),
    keepYearly: z.number().int().min(0).default(5),
    days: z.number().int().min(1).optional(),
  })
  .strict();

const thresholdsSchema = z
  .object({
    maxBackupAgeHours: z.number().positive().default(24),
    maxVerifyAgeDays: z.number().positive().default(7),
    sizeChangePct: z.number().positive().default(20),
    maxIncrementalAgeHours: z.number().positive().default(8),
  })
  .strict();

export const configSchema = z
  .object({
    targets: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'profile names are letters, digits, - and _'), targetSchema)
      .default({}),
    defaultTarget: z.string().optional(),
    repository: repositorySchema.optional(),
    encryption: encryptionSchema.optional(),
    notifications: notificationsSchema.optional(),
    pgbackrest: pgbackrestSchema.optional(),
    schedules: schedulesSchema.default(DEFAULT_SCHEDULES),
    exports: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/i, 'export names are letters, digits, - and _'),
        exportSchema,
      )
      .default({}),
    retention: retentionSchema.default({ keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 5 }),
    thresholds: thresholdsSchema.default({
      maxBackupAgeHours: 24,
      maxVerifyAgeDays: 7,
      sizeChangePct: 20,
      maxIncrementalAgeHours: 8,
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.defaultTarget && !c.targets[c.defaultTarget]) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultTarget'],
        message: `names no profile under targets (known: ${Object.keys(c.targets).join(', ') || 'none'})`,
      });
    }
    for (const [name, e] of Object.entries(c.exports)) {
      if (e.profile && !c.targets[e.profile])
        ctx.addIssue({ code: 'custom', path: ['exports', name, 'profile'], message: 'names no profile under targets' });
    }
  });

export type PgdrConfig = z.output<typeof configSchema>;
export type TargetProfile = PgdrConfig['targets'][string];
export type StorageFilesConfig = NonNullable<TargetProfile['storage']>;
export type NotificationsConfig = NonNullable<PgdrConfig['notifications']>;
export type EmailChannelConfig = NonNullable<NotificationsConfig['email']>;
export type ExportConfig = PgdrConfig['exports'][string];
export type LockConfig = z.output<typeof lockSchema>;
