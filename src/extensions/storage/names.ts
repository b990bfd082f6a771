import { basename, dirname, join, resolve } from 'node:path';
import { SpecterError } from '../../errors/index.js';

/**
 * Every file name the storage builds from outside input (extension ids, wallet aliases,
 * usernames) goes through here, so a name can never climb out of its folder ("../x", "a/b").
 */

/** Specter's marker key in both service files; never an extension id. */
export const VERSION_FIELD = 'encrypted_storage_version';
export const STORAGE_VERSION = 1;

/** Extension ids and wallet aliases: lowercase letters, digits, `_` and `-` (no dots, no slashes). */
const NAME_RE = /^[a-z0-9_-]{1,100}$/;

function invalidName(what: string, value: unknown): SpecterError {
  return new SpecterError('VALIDATION', `Invalid ${what} ${JSON.stringify(value)}: it is used in a file name.`, {
    hint: `Use 1–100 lowercase letters, digits, "_" or "-".`,
    details: { field: what },
  });
}

/** The id under which an extension's data is stored (and part of annotation file names). */
export function checkExtensionId(extId: unknown): string {
  // `__proto__` would be swallowed by object assignment instead of becoming a key.
  if (typeof extId !== 'string' || !NAME_RE.test(extId) || extId === VERSION_FIELD || extId === '__proto__') {
    throw invalidName('extension id', extId);
  }
  return extId;
}

export function checkWalletAlias(alias: unknown): string {
  if (typeof alias !== 'string' || !NAME_RE.test(alias)) throw invalidName('wallet alias', alias);
  return alias;
}

/**
 * Usernames come from users.json, possibly written by Specter Desktop, which allowed more than
 * Specter TS does; accept anything that is one harmless path component.
 */
export function checkUsername(username: unknown): string {
  if (
    typeof username !== 'string' ||
    username.length === 0 ||
    username.length > 200 ||
    username === '.' ||
    username === '..' ||
    /[/\\\0]/.test(username)
  ) {
    throw new SpecterError('VALIDATION', `Username ${JSON.stringify(username)} cannot name a data file.`, {
      hint: 'Rename the user to letters, digits, ".", "_" or "-".',
      details: { field: 'username' },
    });
  }
  return username;
}

/** `folder/name`, asserting the result is directly inside `folder` (defence in depth). */
export function fileIn(folder: string, name: string): string {
  const root = resolve(folder);
  const path = join(root, name);
  if (dirname(path) !== root || basename(path) !== name) {
    throw new SpecterError('VALIDATION', `File name ${JSON.stringify(name)} would leave the folder ${root}.`);
  }
  return path;
}

export interface UserServiceFiles {
  /** `<data>/users/<username>/services.json` (Fernet tokens). */
  readonly encrypted: string;
  /** `<data>/users/<username>/unencrypted_services.json` (JSON strings). */
  readonly unencrypted: string;
}

/** The folder under the data folder that holds one folder per user. */
export const USERS_FOLDER = 'users';
export const ENCRYPTED_FILE = 'services.json';
export const UNENCRYPTED_FILE = 'unencrypted_services.json';

/** `<data>/users/<username>`: one folder per user, so no name can produce another user's file. */
export function userFolder(dataFolder: string, username: string): string {
  return fileIn(join(resolve(dataFolder), USERS_FOLDER), checkUsername(username));
}

/**
 * A user's two service files. Specter named them `<username>_services.json` and
 * `<username>_unencrypted_services.json` side by side, so user `bob_unencrypted`'s encrypted file
 * was `bob`'s unencrypted one; a folder per user cannot collide. Keyed by username, like
 * Specter's files and the rest of this storage API (see docs/ARCHITECTURE.md).
 */
export function userServiceFiles(dataFolder: string, username: string): UserServiceFiles {
  const folder = userFolder(dataFolder, username);
  return { encrypted: join(folder, ENCRYPTED_FILE), unencrypted: join(folder, UNENCRYPTED_FILE) };
}

/** Specter Desktop's names (read once, by the migration in legacy-files.ts). */
export function legacyServiceFiles(dataFolder: string, username: string): UserServiceFiles {
  const name = checkUsername(username);
  return {
    encrypted: fileIn(dataFolder, `${name}_services.json`),
    unencrypted: fileIn(dataFolder, `${name}_unencrypted_services.json`),
  };
}

/** `<walletsFolder>/<wallet_alias>_<service_id>.json` (Specter's annotation file). */
export function annotationFile(walletsFolder: string, walletAlias: string, serviceId: string): string {
  return fileIn(walletsFolder, `${checkWalletAlias(walletAlias)}_${checkExtensionId(serviceId)}.json`);
}
