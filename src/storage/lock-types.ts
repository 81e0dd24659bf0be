/** S3 Object Lock retention asked of each object a backup writes (local repositories seal after the fact). */
export interface LockRequest {
  /** governance: a principal with s3:BypassGovernanceRetention may still delete; compliance: nobody until `until`. */
  mode: 'governance' | 'compliance';
  until: Date;
}

/** What protects a stored object, file or backup from deletion, as the repository reports it. */
export interface LockState {
  /** S3 Object Lock modes; a local file that is immutable (chattr +i) or only read-only. */
  mode: 'governance' | 'compliance' | 'immutable' | 'read-only';
  /** S3: the retain-until date. Local files keep no date of their own (the manifest records the one asked for). */
  until?: Date;
}

/** How far a local seal went: immutable where chattr +i worked, else read-only. */
export type SealResult = 'immutable' | 'read-only';
