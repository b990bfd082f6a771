import fs from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../errors/index.js';
import type { AuthMethod } from '../managers/config/index.js';
import type { Specter } from './specter.js';

/** What switching the auth method will remove; the confirmation page lists it. */
export interface AuthSwitchPlan {
  from: AuthMethod;
  to: AuthMethod;
  /** Files of encrypted extension data that will be emptied (switching to "none"). */
  wipedFiles: string[];
  /** Extension names that will be unlinked from users (encryptData extensions). */
  unlinkedExtensions: string[];
  /** A password must be set because the current method has none. */
  needsPassword: boolean;
}

/** Loaded extensions that keep encrypted data: switching to "none" unlinks them (seed rule). */
function encryptedExtensions(specter: Specter): Array<{ id: string; name: string }> {
  return specter.extensionManager.extensions.filter((e) => e.manifest.encryptData).map((e) => ({ id: e.id, name: e.manifest.name }));
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

export async function planAuthSwitch(specter: Specter, to: AuthMethod): Promise<AuthSwitchPlan> {
  const from = specter.authMethod;
  const wipedFiles: string[] = [];
  if (to === 'none') {
    for (const user of specter.userManager.list()) {
      const file = specter.services.storage.filesOf(user).encrypted;
      // Relative to the data folder: every user's file is named services.json, in their own folder.
      if (await exists(file)) wipedFiles.push(path.relative(specter.dataFolder, file).split(path.sep).join('/'));
    }
  }
  return {
    from,
    to,
    wipedFiles,
    unlinkedExtensions: to === 'none' ? encryptedExtensions(specter).map((e) => e.name) : [],
    needsPassword: from === 'none' && to !== 'none',
  };
}

/**
 * Applies an auth method change. To "none": every user secret is deleted and every encrypted
 * extension-data file emptied, because without a password nothing could decrypt them (seed rule).
 * From "none": the admin password is set first, which creates and wraps the admin's secret.
 */
export async function applyAuthSwitch(specter: Specter, to: AuthMethod, options: { adminPassword?: string } = {}): Promise<void> {
  const from = specter.authMethod;
  if (from === to) return;
  if (to === 'none') {
    const unlink = encryptedExtensions(specter).map((e) => e.id);
    for (const user of specter.userManager.list()) {
      if (await exists(specter.services.storage.filesOf(user).encrypted)) await specter.services.storage.wipeEncrypted(user);
      if (unlink.some((id) => user.hasService(id))) {
        await specter.userManager.setServices(
          user.id,
          user.services.filter((id) => !unlink.includes(id)),
        );
      }
    }
    await specter.userManager.deleteAllSecrets();
  } else if (from === 'none') {
    const password = options.adminPassword ?? '';
    if (password.length < specter.configManager.passwordMinChars) {
      throw new SpecterError('USER_INVALID', `The admin password must have at least ${specter.configManager.passwordMinChars} characters.`, {
        hint: 'Choose a longer password.',
      });
    }
    await specter.userManager.setPassword(specter.userManager.admin.id, password);
  }
  await specter.configManager.setAuth({ method: to });
  specter.logger.info({ from, to }, 'authentication method changed');
}
