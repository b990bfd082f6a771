import fs from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { JsonFileStore } from '../persistence/index.js';
import type { JsonObject } from './context/types.js';
import type { Extension } from './extension.js';
import type { ExtensionPorts } from './host.js';

/**
 * Per-plugin data migrations. A plugin's manifest says which version of its data format it keeps
 * (`dataVersion`, default 1); the version its data is in is recorded in its folder
 * (`<data>/extensions/<id>/.data-version.json`, a name `ctx.files` cannot write). When a newer
 * plugin raises `dataVersion`, loading it runs its `migrateData` for each user's data and its
 * `migrateFiles` for its folder — after a backup, all computed before anything is written. A
 * migration that throws leaves the old data and the plugin `failed` with the reason.
 *
 * Encrypted per-user data cannot be read at start (the users' secrets are locked), so a plugin
 * with `encryptData` that has encrypted data and raises `dataVersion` is refused with that reason.
 */
export const DATA_VERSION_FILE = '.data-version.json';
export const BACKUPS_FOLDER = '.backups';

export interface MigrationEnv {
  ext: Extension;
  /** `<data>/extensions/<id>/`. */
  folder: string;
  ports: ExtensionPorts;
  store: JsonFileStore;
  logger: Logger;
  now?: () => Date;
}

export interface MigrationReport {
  from: number;
  to: number;
  users: number;
  backup: string | null;
}

function failure(extId: string, message: string, hint: string, cause?: unknown): SpecterError {
  return new SpecterError('EXT_MIGRATION_FAILED', `extension "${extId}": ${message}`, {
    hint,
    details: { extensionId: extId },
    ...(cause !== undefined && { cause }),
  });
}

async function folderHasFiles(folder: string): Promise<boolean> {
  const entries = await fs.readdir(folder).catch(() => [] as string[]);
  return entries.some((e) => !e.startsWith('.'));
}

/** Runs the plugin's migration when its data is older than its manifest's `dataVersion`; null when nothing to do. */
export async function migrateExtensionData(env: MigrationEnv): Promise<MigrationReport | null> {
  const { ext, folder, ports, store } = env;
  const m = ext.manifest;
  const versionFile = path.join(folder, DATA_VERSION_FILE);
  const recorded = (await store.read<{ version?: unknown }>(versionFile))?.version;
  // The usual start: the data is in the manifest's version; no user file needs reading.
  if (recorded === m.dataVersion) return null;
  const users = ports.users();
  const withPlain: Array<{ id: string; username: string; data: JsonObject }> = [];
  let encryptedUsers = 0;
  for (const user of users) {
    const access = ports.storage.forUser(user);
    const plain = await access.get(m.id, false);
    if (Object.keys(plain).length) withPlain.push({ id: user.id, username: user.username, data: plain as JsonObject });
    const files = ports.storage.filesOf(user.username);
    const encrypted = await store.read<Record<string, unknown>>(files.encrypted).catch(() => undefined);
    if (encrypted && typeof encrypted === 'object' && Object.hasOwn(encrypted, m.id)) encryptedUsers++;
  }
  const hasData = withPlain.length > 0 || encryptedUsers > 0 || (await folderHasFiles(folder));
  // Data from before versions were recorded is version 1; a fresh install starts at the manifest's.
  const from = typeof recorded === 'number' && Number.isSafeInteger(recorded) ? recorded : hasData ? 1 : m.dataVersion;
  const to = m.dataVersion;
  if (from === to) {
    if (recorded !== to) await store.write(versionFile, { version: to });
    return null;
  }
  if (from > to) {
    throw failure(
      m.id,
      `its data is in format version ${from}, newer than this version's ${to} (a downgrade).`,
      `Install the newer version again, or restore the backup from ${path.join(path.dirname(folder), BACKUPS_FOLDER)}.`,
    );
  }
  if (encryptedUsers > 0) {
    throw failure(
      m.id,
      `its encrypted data (${encryptedUsers} user${encryptedUsers === 1 ? '' : 's'}) would need migrating from version ${from} to ${to}, which needs the users' secrets; migrating encrypted data is not supported yet.`,
      'Keep the previous version of the plugin installed, or remove its data in Choose plugins first.',
    );
  }
  if (withPlain.length && typeof ext.migrateData !== 'function') {
    throw failure(
      m.id,
      `raises dataVersion from ${from} to ${to} but has no migrateData() for the users' data.`,
      'Add migrateData() to the extension class.',
    );
  }

  // Backup first: each user's entry and the folder's files.
  const stamp = (env.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const backup = path.join(path.dirname(folder), BACKUPS_FOLDER, `${m.id}-v${from}-${stamp}`);
  await fs.mkdir(backup, { recursive: true, mode: 0o700 });
  await fs.cp(folder, path.join(backup, 'files'), { recursive: true });
  await fs.writeFile(path.join(backup, 'users.json'), JSON.stringify(Object.fromEntries(withPlain.map((u) => [u.username, u.data])), null, 2), {
    mode: 0o600,
  });

  // Compute every user's new data before anything is written.
  const next: Array<{ id: string; username: string; data: JsonObject }> = [];
  for (const u of withPlain) {
    let data: unknown;
    try {
      data = await ext.migrateData!({ from, to, userId: u.id, data: structuredClone(u.data) });
    } catch (err) {
      throw failure(
        m.id,
        `migrateData() failed for user "${u.username}" (version ${from} → ${to}): ${(err as Error).message}`,
        'The old data is kept; fix the migration.',
        err,
      );
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw failure(
        m.id,
        `migrateData() returned ${Array.isArray(data) ? 'an array' : typeof data} for user "${u.username}", not an object.`,
        'Return the new data object.',
      );
    }
    next.push({ ...u, data: data as JsonObject });
  }
  if (typeof ext.migrateFiles === 'function') {
    try {
      await ext.migrateFiles({ from, to, files: ext.ctx.files });
    } catch (err) {
      await restoreFolder(folder, path.join(backup, 'files'));
      throw failure(
        m.id,
        `migrateFiles() failed (version ${from} → ${to}): ${(err as Error).message}`,
        'The old files are restored; fix the migration.',
        err,
      );
    }
  }
  const written: typeof withPlain = [];
  try {
    for (const u of next) {
      const user = ports.user(u.id)!;
      await ports.storage.forUser(user).set(m.id, false, u.data);
      written.push(withPlain.find((w) => w.id === u.id)!);
    }
  } catch (err) {
    for (const u of written) await ports.storage.forUser(ports.user(u.id)!).set(m.id, false, u.data);
    await restoreFolder(folder, path.join(backup, 'files'));
    throw failure(m.id, `writing the migrated data failed: ${(err as Error).message}`, 'The old data is restored.', err);
  }
  await store.write(versionFile, { version: to });
  env.logger.info({ ext: m.id, from, to, users: next.length, backup }, `extension "${m.id}": data migrated from version ${from} to ${to}`);
  return { from, to, users: next.length, backup };
}

/** Puts the folder back as the backup holds it (the version file is not in it yet). */
async function restoreFolder(folder: string, saved: string): Promise<void> {
  await fs.rm(folder, { recursive: true, force: true });
  await fs.cp(saved, folder, { recursive: true });
}
