import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile as fsWriteFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLogger, type Logger } from '../../../../src/log/index.js';
import { ExtensionStorage, type AuthMethod, type SecretSource, type StorageUser } from '../../../../src/extensions/storage/index.js';
import { Fernet, JsonFileStore } from '../../../../src/persistence/index.js';

export async function tempDir(prefix = 'specter-storage-'): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** A real pino logger (with the app's redaction) whose raw output lines are kept. */
export function captureLogger(level = 'debug'): { logger: Logger; output: string[] } {
  const output: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write: (line: string) => {
        output.push(line);
      },
    },
  });
  return { logger, output };
}

export const silentLogger = (): Logger => createLogger({ level: 'silent' });

/** A vault stand-in for tests that do not need PBKDF2: secrets set and dropped by hand. */
export class FakeVault implements SecretSource {
  readonly secrets = new Map<string, string>();
  unlock(userId: string, secret: string = Fernet.generateKey()): string {
    this.secrets.set(userId, secret);
    return secret;
  }
  lock(userId: string): void {
    this.secrets.delete(userId);
  }
  secretOf(userId: string): string | undefined {
    return this.secrets.get(userId);
  }
}

export interface Setup {
  dir: string;
  store: JsonFileStore;
  vault: FakeVault;
  auth: { method: AuthMethod };
  storage: ExtensionStorage;
}

/** Storage on a temp folder with a fake vault; the auth method can be switched through `auth.method`. */
export async function setup(): Promise<Setup> {
  const dir = await tempDir();
  const store = new JsonFileStore({ logger: silentLogger() });
  const vault = new FakeVault();
  const auth = { method: 'usernamepassword' as AuthMethod };
  const storage = new ExtensionStorage({ dataFolder: dir, store, users: vault, authMethod: () => auth.method });
  return { dir, store, vault, auth, storage };
}

export const alice: StorageUser = { id: 'alice', username: 'alice' };
export const bob: StorageUser = { id: 'bob', username: 'bob' };

export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** Every regular file under `dir`, recursively. */
export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files under `dir` whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const bytes = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  for (const path of await allFiles(dir)) if ((await readFile(path)).includes(bytes)) hits.push(path);
  return hits;
}

/** writeFile that creates the parent folder first (a user's folder exists only once they store something). */
export async function writeFile(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await fsWriteFile(path, data);
}
