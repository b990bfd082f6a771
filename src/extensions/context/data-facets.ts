import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import type { User } from '../../managers/users/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import type { ExtensionPorts } from '../host.js';
import type { ExtensionStore, FilesApi, StorageApi } from './types.js';
import { actingUser, portsOf, userToActFor } from './user-scope.js';

/**
 * Per-user storage bound to one extension id and its manifest's `encryptData`: a plugin cannot
 * name another plugin's id, nor pick the other file.
 */
export function storageFacet<Data extends object>(ports: ExtensionPorts | undefined, extId: string, encrypt: boolean): StorageApi<Data> {
  const storeOf = (resolve: () => User): ExtensionStore<Data> => {
    const data = () => portsOf(ports, extId, 'ctx.storage').storage.forUser(resolve());
    return {
      // async: a refused call rejects (never throws synchronously), like every context call.
      get: async () => data().get<Data>(extId, encrypt),
      set: async (value) => data().set<Partial<Data>>(extId, encrypt, value),
      update: async (fn) => data().modify<Data>(extId, encrypt, fn),
      remove: async () => {
        await data().remove(extId, encrypt);
      },
    };
  };
  const current = storeOf(() => actingUser(extId, 'ctx.storage'));
  return {
    ...current,
    forUser: (userId) => {
      const p = portsOf(ports, extId, 'ctx.storage.forUser()');
      return storeOf(() => userToActFor(p, extId, userId, 'ctx.storage.forUser()'));
    },
  };
}

/** A plain file name in the extension's folder; anything that could leave it is refused. */
function fileIn(folder: string, extId: string, name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.')) {
    throw new SpecterError(
      'EXT_ACCESS_DENIED',
      `Plugin "${extId}" named the file ${JSON.stringify(name)}, which is not a plain file name in its folder.`,
      {
        hint: 'Use letters, digits, ".", "_" and "-" only, not starting with "." (no "/" or "..").',
        details: { extensionId: extId },
      },
    );
  }
  return path.join(folder, name);
}

/** JSON files in `<data>/extensions/<id>/`, through the app's atomic store (temp file, fsync, rename, lock). */
export function filesFacet(store: JsonFileStore, folder: string, extId: string): FilesApi {
  return {
    folder,
    readJson: async <T>(name: string) => store.read<T>(fileIn(folder, extId, name)),
    writeJson: async (name, data) => {
      await store.write(fileIn(folder, extId, name), data);
    },
    updateJson: async <T>(name: string, fn: (current: T | undefined) => T) => store.update<T>(fileIn(folder, extId, name), fn),
    remove: async (name) => {
      await store.delete(fileIn(folder, extId, name));
    },
  };
}
