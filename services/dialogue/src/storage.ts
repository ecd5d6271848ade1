import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

/** Where uploaded files live. Disk today; an object store would implement the same three methods. */
export interface FileStorage {
  /** Stores `data` under a new key of the storage's choosing (never a user-supplied name). */
  put(prefix: string, data: Buffer): Promise<string>;
  get(key: string): Readable;
  delete(key: string): Promise<void>;
}

export function diskStorage(root: string): FileStorage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const path = resolve(base, key);
    // Keys are made here, but a key read back from the database must still never leave the root.
    if (!path.startsWith(base + sep)) throw new Error('storage key outside the upload root');
    return path;
  };
  return {
    async put(prefix, data) {
      const key = join(prefix, randomUUID());
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data, { flag: 'wx' });
      return key;
    },
    get(key) {
      return createReadStream(pathOf(key));
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
