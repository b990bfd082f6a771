import { rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { annotationFile, checkExtensionId, STORAGE_VERSION, userFolder, userServiceFiles, VERSION_FIELD } from './names.js';
import { removeServiceEntry } from './user-store.js';

/**
 * What happens to extension data when users and auth change: Specter's rules, with its gaps
 * closed (it wrote `{}` and kept nothing consistent on rename or delete, see the behaviour notes §5).
 *
 * `JsonFileStore` keeps the replaced version of a file as `<file>.bkp`. Where data is removed on
 * purpose, that backup would still hold it, so these functions also make sure the `.bkp` no
 * longer does.
 */

export interface StorageFiles {
  dataFolder: string;
  store: JsonFileStore;
  logger?: Logger | undefined;
}

/** Where one wallet's annotation files live: `<walletsFolder>/<alias>_<extension id>.json`. */
export interface WalletRef {
  walletsFolder: string;
  alias: string;
}

export interface PurgeReport {
  extensionId: string;
  /** Service files an entry was removed from. */
  entriesRemovedFrom: string[];
  annotationFilesDeleted: string[];
}

type Named = { readonly username: string };

/**
 * Auth switched to `none`: the encrypted file becomes exactly `{"encrypted_storage_version": 1}`
 * (Specter wrote `{}`; keeping the marker makes the file self-describing). The old tokens are
 * dropped with their `.bkp`. The unencrypted file is not touched.
 */
export async function wipeEncrypted(ctx: StorageFiles, user: Named): Promise<void> {
  const { encrypted } = userServiceFiles(ctx.dataFolder, user.username);
  // delete first (file and .bkp), then write: the write then has no previous version to back up.
  await ctx.store.delete(encrypted);
  await ctx.store.write(encrypted, { [VERSION_FIELD]: STORAGE_VERSION });
  ctx.logger?.info({ username: user.username, path: encrypted }, 'encrypted extension data wiped');
}

/**
 * "Remove the extension and delete its data": its entry goes from both service files of every
 * given user (no key needed, so locked users are included) and its annotation files go from the
 * given wallets. Deactivating an extension does not call this; its data stays.
 *
 * Best effort over all files: a file that cannot be changed (damaged, unreadable) does not stop
 * the others; at the end the failures are thrown together as one EXT_STORAGE error.
 */
export async function purgeExtension(ctx: StorageFiles, extId: string, users: readonly Named[], wallets: readonly WalletRef[]): Promise<PurgeReport> {
  checkExtensionId(extId);
  const report: PurgeReport = { extensionId: extId, entriesRemovedFrom: [], annotationFilesDeleted: [] };
  const failures: { path: string; message: string }[] = [];

  const attempt = async (path: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      failures.push({ path, message: (err as Error).message });
    }
  };

  for (const user of users) {
    const files = userServiceFiles(ctx.dataFolder, user.username);
    for (const path of [files.encrypted, files.unencrypted]) {
      await attempt(path, async () => {
        if (!(await removeServiceEntry(ctx.store, path, extId))) return;
        // Rewrite once more so the .bkp is the purged content, not the one still holding the entry.
        await ctx.store.update<unknown>(path, (current) => current);
        report.entriesRemovedFrom.push(path);
      });
    }
  }
  for (const wallet of annotationWallets(wallets, extId)) {
    const path = annotationFile(wallet.walletsFolder, wallet.alias, extId);
    await attempt(path, async () => {
      if (await ctx.store.delete(path)) report.annotationFilesDeleted.push(path);
    });
  }

  ctx.logger?.info({ ...report, failed: failures.map((f) => f.path) }, 'extension data purged');
  if (failures.length > 0) {
    throw new SpecterError(
      'EXT_STORAGE',
      `The data of extension "${extId}" could not be removed from ${failures.length} file(s): ` +
        failures.map((f) => `${f.path} (${f.message})`).join('; '),
      {
        hint: 'Everything else was removed. Fix or delete the named files, then purge again.',
        details: { extensionId: extId, failures, report },
      },
    );
  }
  return report;
}

/**
 * The wallets whose annotation file of `extId` may be deleted. Specter's name
 * `<alias>_<extension id>.json` is also the definition file of a wallet whose alias is exactly
 * that (wallet "a" and extension "notes" against wallet "a_notes"): such a file is another
 * wallet, never the extension's annotations, and is left alone.
 */
export function annotationWallets(wallets: readonly WalletRef[], extId: string): WalletRef[] {
  const key = (folder: string, alias: string) => `${folder}\0${alias}`;
  const taken = new Set(wallets.map((w) => key(w.walletsFolder, w.alias)));
  return wallets.filter((w) => !taken.has(key(w.walletsFolder, `${w.alias}_${extId}`)));
}

/** Removes a user's folder once it is empty (anything else in it is left alone). */
async function removeEmptyFolder(folder: string): Promise<void> {
  await rmdir(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  });
}

/**
 * A deleted user's two service files (and their backups) go with them, then their folder. The
 * other users' files are in other folders, so nothing of theirs is touched. Resolves to the
 * paths removed. Specter's legacy files (legacy-files.ts) are not touched: they are Specter
 * Desktop's copy.
 */
export async function deleteUserFiles(ctx: StorageFiles, user: Named): Promise<string[]> {
  const files = userServiceFiles(ctx.dataFolder, user.username);
  const removed: string[] = [];
  for (const path of [files.encrypted, files.unencrypted]) {
    if (await ctx.store.delete(path)) removed.push(path);
  }
  await removeEmptyFolder(userFolder(ctx.dataFolder, user.username));
  ctx.logger?.info({ username: user.username, removed }, 'extension data files of a deleted user removed');
  return removed;
}

/**
 * A username change moves both files (their folder is named after the username). Refuses, before moving
 * anything, when a target already exists, unless it holds exactly the source's content: that is
 * what an interrupted earlier rename leaves, and finishing it is safe. Resolves to the new paths.
 */
export async function renameUserFiles(ctx: StorageFiles, oldUsername: string, newUsername: string): Promise<string[]> {
  const from = userServiceFiles(ctx.dataFolder, oldUsername);
  const to = userServiceFiles(ctx.dataFolder, newUsername);
  if (oldUsername === newUsername) return [];

  const moves = [];
  for (const kind of ['encrypted', 'unencrypted'] as const) {
    const content = await ctx.store.read<unknown>(from[kind]);
    const existing = await ctx.store.read<unknown>(to[kind]);
    moves.push({ from: from[kind], to: to[kind], content, existing });
  }
  const blocked = moves.filter((m) => m.existing !== undefined && !(m.content !== undefined && isDeepStrictEqual(m.content, m.existing)));
  if (blocked.length > 0) {
    throw new SpecterError(
      'EXT_STORAGE',
      `Cannot move the extension data of "${oldUsername}" to "${newUsername}": ${blocked.map((m) => m.to).join(' and ')} already exist(s).`,
      {
        hint: `Nothing was moved. Remove or rename the existing file(s) of "${newUsername}" first (they may belong to a former user of that name).`,
        details: { oldUsername, newUsername, existing: blocked.map((m) => m.to) },
      },
    );
  }
  const moved: string[] = [];
  for (const m of moves) {
    if (m.content === undefined) continue;
    // Write the new file before deleting the old one: a crash in between leaves two equal copies
    // (which a retry finishes, see above), never none.
    if (m.existing === undefined) await ctx.store.write(m.to, m.content);
    await ctx.store.delete(m.from);
    moved.push(m.to);
  }
  await removeEmptyFolder(dirname(from.encrypted));
  ctx.logger?.info({ oldUsername, newUsername, moved }, 'extension data files renamed with their user');
  return moved;
}
