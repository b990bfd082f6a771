import type { JsonFileStore } from '../../persistence/index.js';
import { checkExtensionId } from './names.js';
import {
  damagedEntry,
  entryIds,
  parseServiceDataText,
  parseServiceFile,
  serviceDataText,
  withVersion,
  type ServiceData,
  type ServiceFile,
} from './service-file.js';

/**
 * One user's service file: each extension's data is one entry, a JSON object stored as text
 * (subclasses decide how the text is kept on disk). The seed's operations, Specter's semantics:
 *
 * - `set` replaces; `{}` removes the entry;
 * - `update` merges shallowly; `{}` is a no-op (nothing is written);
 * - `get` answers `{}` for an absent entry;
 * - `remove` deletes the entry (needs no key: removing data reveals nothing).
 *
 * Every write is one `JsonFileStore.update` (read-modify-write under the file's lock), so
 * concurrent writers never lose each other's keys. Reads never create or modify the file. Only
 * the entry asked for is decoded; other extensions' entries pass through untouched.
 *
 * The two stores are siblings (Specter derived the unencrypted one from the encrypted one, which
 * its own docs regret).
 */
export abstract class UserServiceStore {
  constructor(
    /** Absolute path of the file. */
    readonly path: string,
    protected readonly store: JsonFileStore,
  ) {}

  /** The stored form of an entry's JSON text. */
  protected abstract encode(extId: string, text: string): string;

  /** The JSON text of a stored entry; throws a typed error when it cannot be recovered. */
  protected abstract decode(extId: string, stored: string): string;

  /** Checks on the whole file before it is used (the encrypted store checks the version). */
  protected checkFile(_file: ServiceFile): void {}

  /**
   * Called before an entry is written without the old one having been decoded. The encrypted
   * store proves there that its key opens the file, so one file never mixes two keys.
   */
  protected checkWritable(_file: ServiceFile, _extId: string): void {}

  async get(extId: string): Promise<ServiceData> {
    checkExtensionId(extId);
    const file = await this.readFile();
    return this.entry(file, extId) ?? {};
  }

  async set(extId: string, data: ServiceData): Promise<void> {
    checkExtensionId(extId);
    const text = serviceDataText(extId, data);
    if (text === '{}') {
      await this.remove(extId);
      return;
    }
    await this.mutate((file) => {
      this.checkWritable(file, extId);
      file[extId] = this.encode(extId, text);
    });
  }

  /** Resolves to the merged data as now stored. */
  async update(extId: string, partial: ServiceData): Promise<ServiceData> {
    checkExtensionId(extId);
    serviceDataText(extId, partial); // validate before touching the file
    if (Object.keys(partial).length === 0) return this.get(extId);
    let merged: ServiceData = {};
    await this.mutate((file) => {
      const current = this.entry(file, extId);
      if (current === undefined) this.checkWritable(file, extId);
      const text = serviceDataText(extId, { ...current, ...partial });
      merged = parseServiceDataText(extId, text, this.path);
      if (text === '{}') delete file[extId];
      else file[extId] = this.encode(extId, text);
    });
    return merged;
  }

  /**
   * Atomic read-modify-write of one entry under the file's lock: `fn` gets the stored data (`{}`
   * when none) and returns the new data; `{}` removes the entry. Resolves to what was stored.
   */
  async modify(extId: string, fn: (current: ServiceData) => ServiceData): Promise<ServiceData> {
    checkExtensionId(extId);
    let next: ServiceData = {};
    await this.mutate((file) => {
      const current = this.entry(file, extId);
      if (current === undefined) this.checkWritable(file, extId);
      const text = serviceDataText(extId, fn(current ?? {}));
      next = parseServiceDataText(extId, text, this.path);
      if (text === '{}') delete file[extId];
      else file[extId] = this.encode(extId, text);
    });
    return next;
  }

  /** Resolves to whether there was an entry. Needs no key and checks no version: removal reveals nothing. */
  async remove(extId: string): Promise<boolean> {
    return removeServiceEntry(this.store, this.path, checkExtensionId(extId));
  }

  /** Ids of the extensions with data in this file (nothing is decoded). */
  async ids(): Promise<string[]> {
    return entryIds(await this.readFile());
  }

  protected async readFile(): Promise<ServiceFile> {
    return this.parse(await this.store.read<unknown>(this.path));
  }

  private parse(raw: unknown): ServiceFile {
    const file = parseServiceFile(raw, this.path);
    this.checkFile(file);
    return file;
  }

  private async mutate(change: (file: ServiceFile) => void): Promise<void> {
    await this.store.update<unknown>(this.path, (raw) => {
      const file = this.parse(raw);
      change(file);
      return withVersion(file);
    });
  }

  /** The decoded entry, or undefined when absent. */
  private entry(file: ServiceFile, extId: string): ServiceData | undefined {
    if (!Object.hasOwn(file, extId)) return undefined;
    const stored = file[extId];
    if (stored === null) return undefined; // Specter's GenericDataManager skips null fields too
    if (typeof stored !== 'string') throw damagedEntry(extId, this.path, `it is a ${typeof stored}, not a string`);
    return parseServiceDataText(extId, this.decode(extId, stored), this.path);
  }
}

/**
 * Remove one extension's entry from a service file without decoding anything (so it works for a
 * locked user, under auth `none`, and in purges over all users). Writes nothing when absent.
 */
export async function removeServiceEntry(store: JsonFileStore, path: string, extId: string): Promise<boolean> {
  if (!Object.hasOwn(parseServiceFile(await store.read<unknown>(path), path), extId)) return false;
  let removed = false;
  await store.update<unknown>(path, (raw) => {
    const file = parseServiceFile(raw, path);
    removed = Object.hasOwn(file, extId);
    delete file[extId];
    return withVersion(file);
  });
  return removed;
}
