import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SpecterError, isSpecterError } from '../errors/index.js';
import { fsyncDir, isErrno, removeStaleTempFiles, snapshotFile, tempPathFor, writeNewFileSynced } from './atomic-file.js';
import { lockKey, withFileLock } from './file-lock.js';
import { corruptFileError, loadJsonFile, serializeJson } from './json-text.js';
import { lazyDefaultLogger, type PersistenceLogger } from './logger.js';
import { notifyPersisted, type OnPersist, type PersistMode } from './persistence-callback.js';

export interface JsonFileStoreOptions {
  /** Called after every write and delete (Specter's `specter_persistence_callback` hook point). */
  onPersist?: OnPersist;
  logger?: PersistenceLogger;
}

/** What the store knows about the file currently on disk before it replaces it. */
type Previous = 'missing' | 'valid' | 'unknown';

/**
 * JSON data files that survive `kill -9` and never lose a good version:
 *
 * - writes go to a temp file in the same folder, are fsynced, then renamed over the target, and
 *   the folder is fsynced: the file holds the old or the new content, never a mix or nothing;
 * - the version being replaced is kept as `<file>.bkp` (itself swapped in atomically);
 * - a file that does not parse is reported (DATA_FILE_CORRUPT, with the path and the `.bkp`) and is
 *   never overwritten by `update()`; an explicit `write()` over it moves the damaged bytes aside to
 *   `<file>.corrupt-<time>` first and leaves the `.bkp` alone;
 * - all operations on one file are serialized by the process-wide per-file lock.
 *
 * Paths are resolved to absolute paths; errors and callbacks always name the absolute path.
 */
export class JsonFileStore {
  private readonly onPersist: OnPersist | undefined;
  private readonly logger: () => PersistenceLogger;
  /** Folders already swept for temp files of crashed writers (once per folder per store). */
  private readonly swept = new Set<string>();

  constructor(options: JsonFileStoreOptions = {}) {
    this.onPersist = options.onPersist;
    const given = options.logger;
    this.logger = given ? () => given : lazyDefaultLogger();
  }

  /** The parsed content, or `undefined` if the file does not exist. Never modifies the disk. */
  read<T>(path: string): Promise<T | undefined> {
    const abs = lockKey(path);
    return withFileLock(abs, async () => (await this.readCurrent(abs)).value as T | undefined);
  }

  /**
   * Like {@link read}, and says where the content came from: the file itself, its `.bkp` (the file
   * is missing), or nowhere. Security settings must not trust a stale backup the way data may.
   */
  readWithSource<T>(path: string): Promise<{ value: T | undefined; source: 'file' | 'backup' | 'missing' }> {
    const abs = lockKey(path);
    return withFileLock(abs, async () => {
      const current = await this.readCurrent(abs);
      const source = current.onDisk ? 'file' : current.value === undefined ? 'missing' : 'backup';
      return { value: current.value as T | undefined, source };
    });
  }

  /** Replace the file's content with `data` (atomically, keeping the old version as `.bkp`). */
  async write(path: string, data: unknown): Promise<void> {
    const abs = lockKey(path);
    await withFileLock(abs, () => this.replace(abs, data, 'unknown'));
    await this.notify(abs, 'write');
  }

  /**
   * Read-modify-write under one lock hold: no other operation on the file can run between the
   * read and the write. Refuses (DATA_FILE_CORRUPT) when the current file does not parse, and
   * writes nothing if `fn` throws. Resolves to what `fn` returned.
   */
  async update<T>(path: string, fn: (current: T | undefined) => T | Promise<T>): Promise<T> {
    const abs = lockKey(path);
    const next = await withFileLock(abs, async () => {
      const current = await this.readCurrent(abs);
      const value = await fn(current.value as T | undefined);
      await this.replace(abs, value, current.onDisk ? 'valid' : 'missing');
      return value;
    });
    await this.notify(abs, 'write');
    return next;
  }

  /**
   * Remove the file and its `.bkp` (a leftover backup would otherwise come back on the next read).
   * Resolves to whether anything was removed; only then is the delete reported to the callbacks.
   */
  async delete(path: string): Promise<boolean> {
    const abs = lockKey(path);
    const removed = await withFileLock(abs, async () => {
      let any = false;
      for (const p of [abs, `${abs}.bkp`]) {
        try {
          await unlink(p);
          any = true;
        } catch (err) {
          if (!isErrno(err, 'ENOENT')) {
            throw new SpecterError('DATA_FILE_WRITE', `Data file ${p} could not be deleted: ${(err as Error).message}`, {
              details: { path: p },
              cause: err,
            });
          }
        }
      }
      if (any) await this.syncFolder(abs);
      return any;
    });
    if (removed) await this.notify(abs, 'delete');
    return removed;
  }

  /**
   * The file's parsed content. If the file is missing but a `.bkp` parses, that is returned: it is
   * what a Specter Desktop crash leaves behind (Specter renamed the file to `.bkp` before writing).
   * Nothing is renamed here; the next write creates the file again.
   */
  private async readCurrent(abs: string): Promise<{ value: unknown; onDisk: boolean }> {
    const content = await loadJsonFile(abs);
    if (content.state === 'ok') return { value: content.value, onDisk: true };
    if (content.state === 'corrupt') throw await corruptFileError(abs, content.reason);

    const backupPath = `${abs}.bkp`;
    const backup = await loadJsonFile(backupPath);
    if (backup.state === 'missing') return { value: undefined, onDisk: false };
    if (backup.state === 'corrupt') throw await corruptFileError(backupPath, backup.reason);
    this.logger().warn({ path: abs, backupPath }, 'data file missing; using its .bkp (left by an interrupted write)');
    return { value: backup.value, onDisk: false };
  }

  private async replace(abs: string, data: unknown, previous: Previous): Promise<void> {
    const text = serializeJson(abs, data);
    const dir = dirname(abs);
    const tmp = tempPathFor(abs);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.sweepOnce(dir);
      await this.keepPrevious(abs, previous);
      await writeNewFileSynced(tmp, text);
      await rename(tmp, abs);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (isSpecterError(err)) throw err;
      throw new SpecterError('DATA_FILE_WRITE', `Data file ${abs} could not be saved: ${(err as Error).message}`, {
        hint: 'The previous content is unchanged. Check free disk space and the permissions of the data folder.',
        details: { path: abs },
        cause: err,
      });
    }
    await this.syncFolder(abs);
  }

  /**
   * Keep the version about to be replaced as `.bkp`, unless it is damaged (then keep it aside).
   * For a plain write() this costs one read and parse of the current file; update() has already
   * parsed it and says so ('valid'), which skips that.
   */
  private async keepPrevious(abs: string, previous: Previous): Promise<void> {
    if (previous === 'missing') return;
    if (previous === 'unknown') {
      const current = await loadJsonFile(abs);
      if (current.state === 'missing') return;
      if (current.state === 'corrupt') {
        // Never let a damaged file replace a good backup, and never drop its bytes either.
        const aside = `${abs}.corrupt-${Date.now()}`;
        await snapshotFile(abs, aside);
        this.logger().warn({ path: abs, keptAs: aside }, 'replacing a data file that did not parse; damaged copy kept');
        return;
      }
    }
    try {
      await snapshotFile(abs, `${abs}.bkp`);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }

  private async sweepOnce(dir: string): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    const removed = await removeStaleTempFiles(dir).catch(() => []);
    if (removed.length > 0) this.logger().warn({ dir, removed }, 'removed temp files of interrupted writes');
  }

  /** The rename is already visible; a failed folder fsync only weakens durability, so log it. */
  private async syncFolder(abs: string): Promise<void> {
    try {
      await fsyncDir(dirname(abs));
    } catch (err) {
      this.logger().warn({ err, path: abs }, 'could not fsync the data folder');
    }
  }

  private notify(path: string, mode: PersistMode): Promise<void> {
    return notifyPersisted({ path, mode }, this.onPersist, this.logger());
  }
}
