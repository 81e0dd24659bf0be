import { sweepStaging, stagingRoot } from '../core/staging.js';
import { ok, warning, type Finding } from './finding.js';

/**
 * A pgdr killed outright (kill -9, the OOM killer) leaves its staging directory, which may hold a decrypted archive:
 * doctor removes what such a run left, and says so once.
 */
export function checkStaging(env: NodeJS.ProcessEnv): Finding[] {
  const root = stagingRoot(env);
  const removed = sweepStaging(root);
  if (!removed.length) return [ok('staging.leftovers', 'no staging directory left by a killed pgdr', root)];
  return [
    warning(
      'staging.leftovers',
      `removed ${removed.length} staging director${removed.length === 1 ? 'y' : 'ies'} left by a pgdr killed before it could clean up: ${removed.map((l) => l.path).join(', ')}`,
      'They may have held a decrypted archive: find out why pgdr was killed (kill -9, the OOM killer). A restore with --jobs 1 stages no plaintext at all.',
      root,
    ),
  ];
}
