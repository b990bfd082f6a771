import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { EXTENSION_ID_PATTERN } from '../manifest-schema.js';

/**
 * `<data>/plugins/plugins.json`: what `specter ext install` put into `<data>/plugins/node_modules/`.
 * Written (atomically, through the JsonFileStore) only after an install, update or uninstall is
 * complete, so a reader — discovery, the live reload watching this file — never sees a half-done
 * one. One record per plugin.
 */
export const PLUGINS_FOLDER = 'plugins';
export const PLUGINS_FILE = 'plugins.json';

/** npm's package name rule (lowercase, URL-safe, one optional scope): it becomes a path under node_modules/. */
export const NPM_NAME_PATTERN = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export const pluginRecordSchema = z.object({
  /** The extension id (from its manifest); names its data folder. */
  id: z.string().regex(EXTENSION_ID_PATTERN),
  packageName: z.string().regex(NPM_NAME_PATTERN).max(214),
  version: z.string(),
  /** What the admin gave: a package name (with a range), a tarball path or a folder path. */
  spec: z.string(),
  /** npm's integrity of the installed tarball (from the plugins folder's package-lock.json), when npm knows it. */
  integrity: z.string().nullable(),
  /** sha512 of every file of the installed package folder at install (see file-hashes.ts); checked at every start. */
  files: z.record(z.string(), z.string()),
  installedAt: z.string(),
  /** The trusted key's name in `trusted_keys` that signed it; null: unsigned. */
  signer: z.string().nullable(),
  /** Fingerprint of the signing key; null: unsigned. */
  signerKey: z.string().nullable(),
});
export type PluginRecord = z.infer<typeof pluginRecordSchema>;

export const pluginsFileSchema = z.object({
  version: z.literal(1),
  plugins: z.array(pluginRecordSchema),
});
export type PluginsFile = z.infer<typeof pluginsFileSchema>;

export function pluginsFolder(dataFolder: string): string {
  return path.join(dataFolder, PLUGINS_FOLDER);
}

/** The folder npm installed a package into, inside the plugins folder. */
export function pluginPackageDir(pluginsDir: string, packageName: string): string {
  return path.join(pluginsDir, 'node_modules', ...packageName.split('/'));
}

/**
 * Reads plugins.json without a store (discovery runs before, and apart from, the app's store):
 * no file → no plugins; a file that does not parse or fit the schema → DATA_FILE_CORRUPT.
 */
export async function readPluginsFile(pluginsDir: string): Promise<PluginsFile> {
  const file = path.join(pluginsDir, PLUGINS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, plugins: [] };
    throw new SpecterError('DATA_FILE_READ', `${file} could not be read: ${(err as Error).message}`, { details: { path: file } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = pluginsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SpecterError(
      'DATA_FILE_CORRUPT',
      `${file} is not a valid plugins file (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'no JSON'}).`,
      {
        hint: `Restore ${PLUGINS_FILE}.bkp, or reinstall the plugins with "specter ext install".`,
        details: { path: file },
      },
    );
  }
  return parsed.data;
}

export async function writePluginsFile(store: JsonFileStore, pluginsDir: string, data: PluginsFile): Promise<void> {
  await store.write(path.join(pluginsDir, PLUGINS_FILE), pluginsFileSchema.parse(data));
}
