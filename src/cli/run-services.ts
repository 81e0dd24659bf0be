import { loadConfig } from '../config/load.js';
import { repositorySpec } from '../config/profile.js';
import { openRepository } from '../storage/index.js';
import { RunCleanup, type RunServices } from '../actions/run-services.js';
import { cliEncryption, cliKeys } from './context.js';
import { lockOption } from './repository-policy.js';

export interface ServiceFlags {
  repo?: string;
  s3Endpoint?: string;
  config?: string;
  identity?: string;
  passphraseEnv?: string;
}

/** The repository, keys, encryption and notification channels a run's actions use, from flags and the config. */
export async function buildRunServices(flags: ServiceFlags, interactive: boolean): Promise<RunServices> {
  const loaded = await loadConfig({ configPath: flags.config });
  const spec = flags.repo || loaded.config.repository?.url ? repositorySpec(loaded.config, flags.repo) : undefined;
  const options = { s3Endpoint: flags.s3Endpoint ?? spec?.s3Endpoint, region: spec?.region };
  return {
    repository: spec ? openRepository(spec.url, options) : undefined,
    openRepository: (url) => openRepository(url, options),
    keys: await cliKeys(loaded, flags),
    encryption: cliEncryption(loaded, { passphraseEnv: flags.passphraseEnv }),
    lock: lockOption(loaded, { repo: flags.repo }),
    notifications: loaded.config.notifications,
    interactive,
    cleanup: new RunCleanup(),
  };
}
