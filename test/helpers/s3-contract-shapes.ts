/** What the S3 contract server keeps and answers with, per S3's documentation (see s3-contract.ts). */
export interface RecordedRequest {
  method: string;
  key: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface ObjectState {
  key: string;
  storageClass: string;
  lock?: { mode: string; until: Date };
  tags?: string;
  restore?: { ongoing: boolean; days: number; tier: string; expires?: Date };
}

export const ARCHIVED = ['GLACIER', 'DEEP_ARCHIVE'];
export const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
export const hasChecksum = (h: Record<string, string>) =>
  Boolean(
    h['content-md5'] ||
    Object.keys(h).some((k) => k.startsWith('x-amz-checksum-')) ||
    h['x-amz-sdk-checksum-algorithm'] ||
    /x-amz-checksum-/.test(h['x-amz-trailer'] ?? ''),
  );

/** HeadObject's headers for what fauxqs does not keep: class, retention, restore state. */
export function headObjectHeaders(state: ObjectState): Record<string, string> {
  const out: Record<string, string> = {};
  if (state.storageClass !== 'STANDARD') out['x-amz-storage-class'] = state.storageClass;
  if (state.lock) {
    out['x-amz-object-lock-mode'] = state.lock.mode;
    out['x-amz-object-lock-retain-until-date'] = state.lock.until.toISOString();
  }
  if (state.restore)
    out['x-amz-restore'] = state.restore.ongoing
      ? 'ongoing-request="true"'
      : `ongoing-request="false", expiry-date="${state.restore.expires!.toUTCString()}"`;
  return out;
}
