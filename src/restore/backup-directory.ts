import { basename } from 'node:path';
import { StorageError } from '../core/errors.js';
import { LocalRepository, type Repository } from '../storage/index.js';
import type { GetStreamOptions, ObjectInfo } from '../storage/repository.js';

/**
 * One backup directory, wherever it was copied to (`pgdr restore /mnt/usb/<id>`), read as a repository holding just
 * that backup: `backups/<id>/<file>` is `<dir>/<file>`. Nothing is linked or made on disk, and nothing can be
 * written through it.
 */
export class BackupDirectory implements Repository {
  readonly kind = 'local' as const;
  readonly url: string;
  private readonly id: string;
  private readonly files: LocalRepository;

  constructor(dir: string) {
    this.url = dir;
    this.id = basename(dir);
    this.files = new LocalRepository(dir);
  }

  /** The key inside the directory, or undefined for a key of another backup (which this one does not hold). */
  private inside(key: string): string | undefined {
    const prefix = `backups/${this.id}/`;
    return key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
  }

  private file(key: string): string {
    const inside = this.inside(key);
    if (inside === undefined)
      throw new StorageError(`${this.url} holds only backup ${this.id}, not ${key}.`, {
        hint: 'Name the backup directory itself, or the repository with --repo.',
      });
    return inside;
  }

  readFile(key: string): Promise<Buffer> {
    return this.files.readFile(this.file(key));
  }

  getStream(key: string, opts?: GetStreamOptions) {
    return this.files.getStream(this.file(key), opts);
  }

  async stat(key: string) {
    const inside = this.inside(key);
    return inside === undefined ? null : await this.files.stat(inside);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const all = (await this.files.list('')).map((o) => ({ ...o, key: `backups/${this.id}/${o.key}` }));
    return all.filter((o) => o.key.startsWith(prefix));
  }

  async listDirs(prefix: string): Promise<string[]> {
    return prefix.replace(/\/?$/, '/') === 'backups/' ? [this.id] : [];
  }

  freeBytes() {
    return this.files.freeBytes();
  }

  private readOnly(): never {
    throw new StorageError(`${this.url} is a single backup directory; pgdr writes nothing into it.`, {
      hint: 'Name a repository with --repo to store backups, snapshots or verification results.',
    });
  }

  putStream = async (): Promise<never> => this.readOnly();
  writeFile = async (): Promise<never> => this.readOnly();
  remove = async (): Promise<never> => this.readOnly();
  removePrefix = async (): Promise<never> => this.readOnly();
  lock = async (): Promise<never> => this.readOnly();
  probe = async (): Promise<never> => this.readOnly();
}
