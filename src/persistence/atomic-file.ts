import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, type FileHandle, link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Low-level file primitives for crash-safe writes: temp file + fsync + rename + directory fsync.
 * After a `kill -9` or power loss at any point, the target holds either its old or its new bytes,
 * never a mix and never nothing (Specter renamed the file away first, leaving a window where it
 * did not exist at all).
 */

/** Temp files look like `.wallet.json.<pid>.<hex>.tmp`; the pid lets a later process tell ours from a live writer's. */
const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/** Write `bytes` to a fresh file (never an existing one: `wx`), readable by the owner only, and fsync it. */
export async function writeNewFileSynced(path: string, bytes: Buffer | string): Promise<void> {
  const fh = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * fsync a folder so a rename or unlink inside it is durable. Some platforms cannot open or sync
 * a directory (Windows, a few network file systems); there the rename is as durable as it gets.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP')) throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Make `target` an atomic copy of `source` (used for `.bkp`): a hard link when the file system
 * allows it (no bytes copied; the old inode simply stays reachable), otherwise a synced copy.
 * Either way it goes through a temp name and a rename, so `target` is never half-written.
 */
export async function snapshotFile(source: string, target: string): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    try {
      await link(source, tmp);
    } catch (err) {
      if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EXDEV', 'EMLINK', 'ENOSYS')) throw err;
      await copyFile(source, tmp, constants.COPYFILE_EXCL);
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to someone else, so it may be a live writer.
    return isErrno(err, 'EPERM');
  }
}

/**
 * Remove temp files left in `dir` by writers that died mid-write (kill -9, power loss). Files of
 * live processes, including this one, are left alone. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    try {
      await unlink(join(dir, name));
      removed.push(name);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
  return removed;
}
