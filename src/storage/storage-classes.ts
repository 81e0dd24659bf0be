/** S3 storage classes, warmest first: a backup only ever moves down this list. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'INTELLIGENT_TIERING',
  'STANDARD_IA',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Classes an object can be moved (or transitioned by a lifecycle rule) to: all but STANDARD. */
export const COLDER_CLASSES = STORAGE_CLASSES.filter((c) => c !== 'STANDARD') as Exclude<StorageClass, 'STANDARD'>[];
export type ColderClass = Exclude<StorageClass, 'STANDARD'>;

/** Classes whose objects must be restored (RestoreObject) before they can be read. */
export const ARCHIVED_CLASSES: readonly StorageClass[] = ['GLACIER', 'DEEP_ARCHIVE'];

export function isStorageClass(value: unknown): value is StorageClass {
  return typeof value === 'string' && (STORAGE_CLASSES as readonly string[]).includes(value);
}

/** Whether `a` is colder than `b`; an unknown class counts as STANDARD. */
export function colderThan(a: string | undefined, b: string | undefined): boolean {
  const rank = (c: string | undefined) => Math.max(0, STORAGE_CLASSES.indexOf(c as StorageClass));
  return rank(a) > rank(b);
}
