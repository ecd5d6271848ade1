import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/** What erasure needs of the file storage: removing a file by its key. */
export interface FileStore {
  /** Removes the file; a file that is already gone is not an error (erasure may be retried). */
  remove(key: string): Promise<void>;
}

/**
 * The disk storage intake and dialogue write to (`UPLOAD_DIR`): keys are paths under the root,
 * tenant first. The same guard as theirs: a key must never point outside the root.
 */
export class DiskFiles implements FileStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async remove(key: string): Promise<void> {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`storage key outside the root: ${key}`);
    await rm(path, { force: true });
  }
}
