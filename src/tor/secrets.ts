/**
 * The Tor secrets of a data folder, each in its own file under `<data>/tor/` with mode 0600 (the
 * folder 0700): the built-in Tor's control password, a custom Tor's control password, the onion
 * service key. Nowhere else: not in config.json, not in a log line, not on a command line (the
 * password hash for the torrc is computed here rather than by `tor --hash-password <pw>`, which
 * would show the password in the process list).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeNewFileSynced, tempPathFor, fsyncDir } from '../persistence/atomic-file.js';

export const TOR_FOLDER = 'tor';
export const SECRET_FILES = {
  builtinPassword: 'control_password',
  customPassword: 'custom_control_password',
  onionKey: 'onion_key',
} as const;
export type SecretName = keyof typeof SECRET_FILES;

export class TorSecrets {
  readonly folder: string;

  constructor(dataFolder: string) {
    this.folder = path.join(dataFolder, TOR_FOLDER);
  }

  pathOf(name: SecretName): string {
    return path.join(this.folder, SECRET_FILES[name]);
  }

  async ensureFolder(): Promise<void> {
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    await fs.chmod(this.folder, 0o700);
  }

  async read(name: SecretName): Promise<string | null> {
    try {
      const text = (await fs.readFile(this.pathOf(name), 'utf8')).trim();
      return text || null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Atomic write, created 0600 (never readable by others, even for a moment). */
  async write(name: SecretName, value: string): Promise<void> {
    await this.ensureFolder();
    const file = this.pathOf(name);
    const tmp = tempPathFor(file);
    await writeNewFileSynced(tmp, `${value}\n`);
    await fs.rename(tmp, file);
    await fsyncDir(this.folder);
  }

  async remove(name: SecretName): Promise<void> {
    await fs.rm(this.pathOf(name), { force: true });
  }

  /** The built-in Tor's control password, made on first use. */
  async builtinPassword(): Promise<string> {
    const existing = await this.read('builtinPassword');
    if (existing) return existing;
    const password = randomBytes(24).toString('base64url');
    await this.write('builtinPassword', password);
    return password;
  }
}

/**
 * Tor's `HashedControlPassword` value for a password: OpenPGP's iterated and salted S2K (RFC 4880
 * 3.7.1.3) with SHA-1 and count byte 0x60 (65,536 bytes hashed), formatted `16:<salt><c><digest>`
 * in hex — exactly what `tor --hash-password` prints.
 */
export function hashControlPassword(password: string, salt: Buffer = randomBytes(8)): string {
  const indicator = 0x60;
  const count = (16 + (indicator & 15)) << ((indicator >> 4) + 6);
  const block = Buffer.concat([salt, Buffer.from(password, 'utf8')]);
  const sha = createHash('sha1');
  for (let left = count; left > 0; left -= block.length) sha.update(left >= block.length ? block : block.subarray(0, left));
  return `16:${Buffer.concat([salt, Buffer.from([indicator]), sha.digest()])
    .toString('hex')
    .toUpperCase()}`;
}
