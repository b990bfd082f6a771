import fs from 'node:fs/promises';
import path from 'node:path';
import { PluginInstaller } from '../extensions/install/index.js';
import { annotationFile, annotationWallets } from '../extensions/storage/index.js';
import type { User } from '../managers/users/index.js';
import { PACKAGE_ROOT } from '../version.js';
import type { Specter } from './specter.js';

/**
 * The admin's plugin operations on a running app: the installer of `<data>/plugins/` (with the
 * trusted keys as they are now), and what a plugin's data is and how it goes. The CLI uses the
 * same functions on an app it opens for the purpose.
 */
export function pluginInstaller(specter: Specter): PluginInstaller {
  return new PluginInstaller({
    dataFolder: specter.dataFolder,
    store: specter.store,
    logger: specter.logger,
    trustedKeys: specter.configManager.values.trusted_keys,
    ...(specter.config.LOAD_BUILTIN_EXTENSIONS ? { builtinDir: path.join(PACKAGE_ROOT, 'extensions') } : {}),
    purgeData: (id) => purgeExtensionData(specter, id),
  });
}

/** Everything a plugin stored, by file, before it goes: what the uninstall page lists. */
export interface ExtensionDataInventory {
  /** Users whose service files hold an entry of it (nothing is decrypted to tell). */
  users: Array<{ username: string; files: string[] }>;
  /** Its wallet annotation files (`<alias>_<id>.json`). */
  annotationFiles: string[];
  /** `<data>/extensions/<id>/` and how many files it holds (0 when absent). */
  folder: string;
  folderFiles: number;
}

/**
 * One user's files that hold data of the extension: the service files with an entry of it
 * (nothing is decrypted; a file that cannot be read is listed, so a purge tries it and reports it)
 * and its annotation files of the user's wallets. Absolute paths.
 */
export async function userExtensionFiles(
  specter: Specter,
  user: User,
  extId: string,
): Promise<{ serviceFiles: string[]; annotationFiles: string[] }> {
  const { encrypted, unencrypted } = specter.services.storage.filesOf(user.username);
  const serviceFiles: string[] = [];
  for (const file of [encrypted, unencrypted]) {
    const holds = await specter.store.read<unknown>(file).then(
      (raw) => typeof raw === 'object' && raw !== null && Object.hasOwn(raw, extId),
      () => true,
    );
    if (holds) serviceFiles.push(file);
  }
  const wallets = specter.walletsOf(user);
  const refs = (await wallets.list()).map((w) => ({ walletsFolder: wallets.walletsFolder, alias: w.alias }));
  const annotationFiles: string[] = [];
  for (const ref of annotationWallets(refs, extId)) {
    const file = annotationFile(ref.walletsFolder, ref.alias, extId);
    if (
      await fs.stat(file).then(
        () => true,
        () => false,
      )
    )
      annotationFiles.push(file);
  }
  return { serviceFiles, annotationFiles };
}

export async function extensionDataInventory(specter: Specter, extId: string): Promise<ExtensionDataInventory> {
  const rel = (file: string) => path.relative(specter.dataFolder, file);
  const users: ExtensionDataInventory['users'] = [];
  const annotationFiles = new Set<string>();
  for (const user of specter.userManager.list()) {
    const found = await userExtensionFiles(specter, user, extId);
    if (found.serviceFiles.length) users.push({ username: user.username, files: found.serviceFiles.map(rel) });
    for (const file of found.annotationFiles) annotationFiles.add(rel(file));
  }
  const folder = path.join(specter.dataFolder, 'extensions', extId);
  const folderFiles = (await fs.readdir(folder, { recursive: true }).catch(() => [] as string[])).length;
  return { users, annotationFiles: [...annotationFiles], folder: rel(folder), folderFiles };
}

/** Removes a plugin's stored data of every user (service-file entries, annotation files); resolves to what went. */
export async function purgeExtensionData(specter: Specter, extId: string): Promise<string[]> {
  const removed: string[] = [];
  for (const user of specter.userManager.list()) {
    const wallets = specter.walletsOf(user);
    const refs = (await wallets.list()).map((w) => ({ walletsFolder: wallets.walletsFolder, alias: w.alias }));
    const report = await specter.services.storage.purgeExtension(extId, [user], refs);
    removed.push(...report.entriesRemovedFrom.map((f) => `${f} (entry "${extId}")`), ...report.annotationFilesDeleted);
  }
  return [...new Set(removed)];
}
