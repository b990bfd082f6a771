import { readFile } from 'node:fs/promises';
import { SpecterError } from '../errors/index.js';
import { isErrno } from './atomic-file.js';

/**
 * Reading and parsing one JSON data file, and the error a damaged one produces. Kept apart from
 * the store so the wording of DATA_FILE_CORRUPT lives in one place.
 */

/** Strict UTF-8: a file with invalid bytes is damaged, not silently "repaired" with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type FileContent =
  | { readonly state: 'missing' }
  | { readonly state: 'ok'; readonly value: unknown }
  | { readonly state: 'corrupt'; readonly reason: string };

/** Read and parse `path` without throwing for "missing" or "does not parse" (callers decide). */
export async function loadJsonFile(path: string): Promise<FileContent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { state: 'missing' };
    throw new SpecterError('DATA_FILE_READ', `Data file ${path} could not be read: ${(err as Error).message}`, {
      hint: 'Check that the file is a regular file and that Specter TS may read it.',
      details: { path },
      cause: err,
    });
  }
  try {
    return { state: 'ok', value: JSON.parse(utf8.decode(bytes)) };
  } catch (err) {
    return { state: 'corrupt', reason: (err as Error).message };
  }
}

export function serializeJson(path: string, data: unknown): string {
  let text: string | undefined;
  try {
    // indent 4 like Specter's json.dump(indent=4), so diffs between the two stay readable.
    text = JSON.stringify(data, null, 4);
  } catch (err) {
    throw new SpecterError('DATA_FILE_WRITE', `Data for ${path} cannot be saved as JSON: ${(err as Error).message}`, {
      hint: 'This is a bug in the caller: only plain JSON data (no BigInt, no cycles) can be saved.',
      details: { path },
      cause: err,
    });
  }
  if (text === undefined) {
    throw new SpecterError('DATA_FILE_WRITE', `Data for ${path} cannot be saved as JSON: it is ${typeof data}.`, {
      hint: 'This is a bug in the caller: pass an object, array, string, number, boolean or null.',
      details: { path },
    });
  }
  return text;
}

/**
 * The error for a file that does not parse. It names the file, says whether a `.bkp` exists (and
 * whether that one parses), and how to restore it by hand. Restoring is left to a person on
 * purpose: silently swapping in the backup (as Specter did) can lose the newer data for good.
 */
export async function corruptFileError(path: string, reason: string): Promise<SpecterError> {
  const backupPath = `${path}.bkp`;
  const backup = await loadJsonFile(backupPath).catch(() => undefined);
  let hint: string;
  if (!backup || backup.state === 'missing') {
    hint =
      `No backup (${backupPath}) exists. Repair the JSON by hand or restore the file from your own backup. ` +
      'Specter TS leaves the damaged file untouched.';
  } else {
    const usable = backup.state === 'ok' ? 'holds the previous version' : 'exists but does not parse either';
    hint =
      `A backup ${backupPath} ${usable}. To restore it, stop Specter TS and run: ` +
      `cp "${backupPath}" "${path}". Specter TS leaves the damaged file untouched.`;
  }
  return new SpecterError('DATA_FILE_CORRUPT', `Data file ${path} does not parse as JSON: ${reason}`, {
    hint,
    details: { path, backupPath, backupExists: Boolean(backup && backup.state !== 'missing'), backupParses: backup?.state === 'ok' },
  });
}
