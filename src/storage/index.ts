export type {
  GetStreamOptions,
  ObjectInfo,
  ObjectStat,
  PutStreamOptions,
  ReadFileOptions,
  Repository,
  RepositoryLock,
} from './repository.js';
export { openRepository, type OpenRepositoryOptions } from './open-repository.js';
export { LocalRepository } from './local-repository.js';
export { S3Repository } from './s3-repository.js';
