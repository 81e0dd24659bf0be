import type { LifecycleRule } from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.js';
import { MAX_MANIFEST_BYTES } from './manifest-schema.js';
import type { RetentionPolicy } from './retention.js';
import type { TierClasses } from './tiering.js';

/** Rules pgdr writes carry this prefix in their ID; `--apply` replaces only those and keeps the bucket's others. */
export const RULE_PREFIX = 'pgdr-';

/**
 * The bucket lifecycle rules that do by age what prune does by role. Only daily and weekly keepers are removed before
 * they are `keepWeekly` weeks old, so whatever is older is a monthly (or yearly) keeper: it moves to the monthly class
 * then, and to the yearly class once it is older than the monthly horizon. Only objects larger than a manifest can be
 * move, so manifest.json, SHA256SUMS and verification records stay readable (tiny archives stay too, at no cost).
 */
export function lifecycleRules(
  prefix: string,
  policy: RetentionPolicy,
  classes: TierClasses,
  options: { locked: boolean },
): LifecycleRule[] {
  if (policy.retentionDays !== undefined && (classes.monthly || classes.yearly))
    throw new UsageError(
      'Storage classes follow the monthly and yearly keepers of the calendar policy; retention.days has none.',
      'Remove retention.days to use repository.s3.storageClass.',
    );
  const rules: LifecycleRule[] = [];
  const monthlyAfter = Math.max(policy.keepDaily, 7 * policy.keepWeekly) + 7;
  const yearlyAfter = Math.max(monthlyAfter + 1, (policy.keepMonthly + 1) * 31);
  const transitions = [
    ...(classes.monthly ? [{ Days: monthlyAfter, StorageClass: classes.monthly }] : []),
    ...(classes.yearly ? [{ Days: yearlyAfter, StorageClass: classes.yearly }] : []),
  ];
  if (transitions.length)
    rules.push({
      ID: `${RULE_PREFIX}archive-tiers`,
      Status: 'Enabled',
      Filter: { And: { Prefix: `${prefix}backups/`, ObjectSizeGreaterThan: MAX_MANIFEST_BYTES } },
      Transitions: transitions,
    });
  rules.push({
    ID: `${RULE_PREFIX}cleanup`,
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    // A killed upload's parts are billed until someone aborts them.
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    // With Object Lock the bucket keeps versions: a pruned backup's data goes a day after its lock ends.
    ...(options.locked
      ? { NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Expiration: { ExpiredObjectDeleteMarker: true } }
      : {}),
  });
  return rules;
}

/** The bucket's rules with pgdr's replaced: what `--apply` writes. */
export function mergeRules(existing: LifecycleRule[], ours: LifecycleRule[]): LifecycleRule[] {
  return [...existing.filter((r) => !r.ID?.startsWith(RULE_PREFIX)), ...ours];
}
