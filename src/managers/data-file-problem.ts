import path from 'node:path';
import { isSpecterError } from '../errors/index.js';

/**
 * A data file a manager found but could not use (wrong shape, not JSON, unreadable). Managers
 * list them instead of hiding the file or failing the whole list, so a page can say
 * "wallets/x.json could not be read: …" while every other wallet still works.
 */
export interface DataFileProblem {
  /** The file relative to the data folder, e.g. "wallets_bob/x.json" (for display). */
  file: string;
  /** Absolute path (for logs and tools). */
  path: string;
  /** What is wrong, from the error that refused the file. */
  reason: string;
}

/** The problem for a refused file, or undefined when the error is not about the file's content or reading it. */
export function fileProblem(dataFolder: string, filePath: string, err: unknown): DataFileProblem | undefined {
  if (!isSpecterError(err, 'DATA_FILE_CORRUPT') && !isSpecterError(err, 'DATA_FILE_READ')) return undefined;
  return { file: path.relative(dataFolder, filePath).split(path.sep).join('/'), path: filePath, reason: err.message };
}
