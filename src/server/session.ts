import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

const KEY_FILE = '.session_key';

/**
 * The key that seals session cookies (like Flask's SECRET_KEY). It lives in the data folder with
 * mode 0600 so sessions survive a restart; it protects only cookie integrity, never user data.
 */
export async function loadSessionKey(dataFolder: string): Promise<Buffer> {
  const file = path.join(dataFolder, KEY_FILE);
  try {
    const key = await fs.readFile(file);
    if (key.length === 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = crypto.randomBytes(32);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, key, { mode: 0o600 });
  await fs.rename(tmp, file);
  return key;
}

/** What the sealed session cookie holds. No secret ever goes in here. */
export interface SessionData {
  userId?: string;
  flashes?: Array<{ message: string; category: string }>;
  _csrf?: string;
}
