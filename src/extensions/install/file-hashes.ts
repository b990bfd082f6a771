import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The signature file in a package's root; it is never part of the hashed file set. */
export const SIGNATURE_FILE = 'SPECTER_SIGNATURE.json';

/** Package-relative POSIX path → `sha512-<base64>` of the file's bytes (a symlink: of its target text). */
export type FileHashes = Record<string, string>;

export interface HashDiff {
  changed: string[];
  added: string[];
  removed: string[];
}

/** sha512 in npm's SRI notation. */
export function sriSha512(bytes: Buffer | string): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * Hashes every file of an installed package folder, sorted by path. Skipped: nested
 * `node_modules/` (the package's own dependencies are npm's business, pinned by its lockfile) and
 * the signature file. A per-file map rather than one hash, so a check can name what changed.
 */
export async function hashPackageFiles(dir: string): Promise<FileHashes> {
  const out: [string, string][] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(dir, relPath);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') await walk(relPath);
      } else if (entry.isSymbolicLink()) {
        out.push([relPath, sriSha512(`symlink:${await fs.readlink(full)}`)]);
      } else if (entry.isFile() && relPath !== SIGNATURE_FILE) {
        out.push([relPath, sriSha512(await fs.readFile(full))]);
      }
    }
  }
  await walk('');
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(out);
}

export function diffHashes(expected: FileHashes, actual: FileHashes): HashDiff {
  const diff: HashDiff = { changed: [], added: [], removed: [] };
  for (const [file, hash] of Object.entries(expected)) {
    if (!Object.hasOwn(actual, file)) diff.removed.push(file);
    else if (actual[file] !== hash) diff.changed.push(file);
  }
  for (const file of Object.keys(actual)) if (!Object.hasOwn(expected, file)) diff.added.push(file);
  return diff;
}

export function isSameFileSet(diff: HashDiff): boolean {
  return diff.changed.length + diff.added.length + diff.removed.length === 0;
}

/** "dist/index.js was modified, x.js was added" (at most 5 names, then a count). */
export function describeDiff(diff: HashDiff): string {
  const parts = [
    ...diff.changed.map((f) => `${f} was modified`),
    ...diff.added.map((f) => `${f} was added`),
    ...diff.removed.map((f) => `${f} was removed`),
  ];
  const shown = parts.slice(0, 5).join(', ');
  return parts.length > 5 ? `${shown} and ${parts.length - 5} more` : shown;
}
