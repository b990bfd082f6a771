import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs test/fixtures/python/specter_crypto.py (Specter Desktop's user.py crypto) with Debian's
 * python. Always /usr/bin/python3: the `python3` on PATH is another interpreter with another
 * cryptography version, and the interop claim is about Debian's python3-cryptography.
 */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const here = dirname(fileURLToPath(import.meta.url));

/** The .py file is not compiled, so find it from either test/helpers or dist/test/helpers. */
function scriptPath(): string {
  const candidates = [resolve(here, '../fixtures/python/specter_crypto.py'), resolve(here, '../../../test/fixtures/python/specter_crypto.py')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`specter_crypto.py not found; looked at ${candidates.join(', ')}`);
  return found;
}

let available: boolean | undefined;

/** True when Debian's python with `cryptography` is installed (tests skip otherwise; in CI never). */
export function pythonAvailable(): boolean {
  if (process.env.CI) return true;
  if (available === undefined) {
    try {
      execFileSync(DEBIAN_PYTHON, ['-c', 'import cryptography.fernet'], { stdio: 'ignore', timeout: 20_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Send one request to the Python peer and resolve to its JSON answer. An expected failure comes
 * back as `{ error: 'InvalidToken' }`; a crash of the script rejects with its stderr.
 */
export function runSpecterPython<T = Record<string, unknown>>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(DEBIAN_PYTHON, [scriptPath()], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`specter_crypto.py ${command} failed: ${err.message}\n${stderr}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as T);
      } catch (parseErr) {
        reject(new Error(`specter_crypto.py ${command} printed non-JSON: ${stdout}\n${stderr}`, { cause: parseErr }));
      }
    });
    child.stdin!.end(JSON.stringify({ command, args }));
  });
}
