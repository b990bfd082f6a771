import path from 'node:path';
import { SpecterError } from '../errors/index.js';
import { verifyPassword } from '../persistence/index.js';
import { CONFIG_FILE, type ConfigManager } from '../managers/config/index.js';
import type { UserManager } from '../managers/users/index.js';

/** Specter's default admin password: a fresh users.json holds its hash, which protects nothing. */
const DEFAULT_ADMIN_PASSWORD = 'admin';

/**
 * Users whose data a password protects: they hold a wrapped user secret (only a password-based
 * method creates one), or a password hash that is not Specter's default "admin".
 */
export async function passwordProtectedUsers(users: UserManager): Promise<string[]> {
  const names: string[] = [];
  for (const user of users.list()) {
    const { password, encrypted_user_secret: secret } = user.record;
    if (secret || (password && !(await verifyPassword(DEFAULT_ADMIN_PASSWORD, password)))) names.push(user.username);
  }
  return names;
}

/**
 * Fails closed at start: the app refuses to run without a password when the method "none" was
 * not stated by config.json itself — it is only a default (no file, `{}`, `null`, `{"auth": {}}`)
 * or comes from a `.bkp` that may predate the switch to a password — while users.json holds real
 * passwords. A fresh data folder (only the default admin) still starts in "none".
 */
export async function assertAuthFailsClosed(config: ConfigManager, users: UserManager): Promise<void> {
  if (config.authMethod !== 'none' || config.authMethodSource === 'file') return;
  const protectedUsers = await passwordProtectedUsers(users);
  if (protectedUsers.length === 0) return;
  const file = config.filePath;
  const who = `users.json holds passwords (${protectedUsers.map((u) => `"${u}"`).join(', ')})`;
  const message =
    config.authMethodSource === 'backup'
      ? `${file} is missing and only its backup ${path.basename(file)}.bkp says auth.method "none", while ${who}: the backup may be older than the switch to a password.`
      : `${file} names no valid auth.method, while ${who}. Starting would open the app without a password.`;
  throw new SpecterError('CONFIG_AUTH_UNSET', message, {
    hint:
      `Set "auth": {"method": "passwordonly"} (or "usernamepassword") in ${CONFIG_FILE} and start again; ` +
      'write "none" there only if the app should really run without a password.',
    details: { path: file, source: config.authMethodSource },
  });
}
