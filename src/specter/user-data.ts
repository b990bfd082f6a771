/**
 * Wallets and devices belong to a user, as in Specter Desktop (`User.folder_id`): an admin's live
 * in `<data>/wallets/` and `<data>/devices/` (where all of them lived before), every other user's
 * in `<data>/wallets_<user id>/` and `<data>/devices_<user id>/`. Admin users share those folders,
 * as in Specter, so they share one manager each.
 *
 * `specter.walletManager` / `specter.deviceManager` (and `services.wallets` / `services.devices`)
 * are stand-ins that resolve, on every property access, to the managers of the current user of
 * the request context (Specter's `current_user.wallet_manager`): code that took
 * `specter.walletManager` once at start-up still acts for whoever makes each request. Outside any
 * request (start-up, scheduler jobs that did not name a user) they act for the admin. Inside a
 * request that nobody is logged in to, they refuse: such a request has no wallets.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../errors/index.js';
import type { JsonFileStore } from '../persistence/index.js';
import { checkUserId, requestContext, type User, type UserManager } from '../managers/users/index.js';
import { DEVICES_FOLDER, DeviceManager, type DeviceTypeRegistry } from '../managers/devices/index.js';
import { WALLETS_FOLDER, WalletManager } from '../managers/wallets/index.js';

/** The user's folder suffix: '' for admins (the shared `wallets`/`devices`), `_<id>` for the others. */
export function folderSuffix(user: Pick<User, 'id' | 'isAdmin'>): string {
  return user.isAdmin ? '' : `_${checkUserId(user.id)}`;
}

/** Folder names (inside the data folder) of a user's wallets and devices. */
export function userDataFolders(user: Pick<User, 'id' | 'isAdmin'>): { wallets: string; devices: string } {
  const suffix = folderSuffix(user);
  return { wallets: `${WALLETS_FOLDER}${suffix}`, devices: `${DEVICES_FOLDER}${suffix}` };
}

interface Managers {
  devices: DeviceManager;
  wallets: WalletManager;
}

export class UserDataManagers {
  /** Keyed by folder suffix: admins share the '' entry. */
  readonly #managers = new Map<string, Managers>();

  constructor(
    private readonly dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly deviceTypes: DeviceTypeRegistry,
    private readonly users: UserManager,
  ) {}

  /** The user as users.json has them now (is_admin may have changed; a deleted user is refused). */
  #fresh(user: Pick<User, 'id'>): User {
    const fresh = this.users.get(user.id);
    if (!fresh) {
      throw new SpecterError('USER_NOT_FOUND', `User "${user.id}" does not exist (any more), so they have no wallets or devices.`, {
        hint: 'Log in again.',
        details: { userId: user.id },
      });
    }
    return fresh;
  }

  #of(user: Pick<User, 'id'>): Managers {
    const fresh = this.#fresh(user);
    const key = folderSuffix(fresh);
    let managers = this.#managers.get(key);
    if (!managers) {
      const folders = userDataFolders(fresh);
      const devices = new DeviceManager(this.dataFolder, this.store, this.deviceTypes, { folder: folders.devices });
      const wallets = new WalletManager(this.dataFolder, this.store, devices, { folder: folders.wallets });
      managers = { devices, wallets };
      this.#managers.set(key, managers);
    }
    return managers;
  }

  walletsOf(user: Pick<User, 'id'>): WalletManager {
    return this.#of(user).wallets;
  }

  devicesOf(user: Pick<User, 'id'>): DeviceManager {
    return this.#of(user).devices;
  }

  /** The user whose managers `specter.walletManager` stands for right now (see the module comment). */
  currentUser(): User {
    const ctx = requestContext.getStore();
    if (!ctx) return this.users.admin;
    if (!ctx.user) {
      throw new SpecterError('AUTH_REQUIRED', 'Wallets and devices belong to a user, and nobody is logged in to this request.', {
        hint: 'Log in first. Code running for a user outside their request names them: specter.walletsOf(user).',
      });
    }
    return ctx.user;
  }

  /**
   * Removes a user's wallets and devices (Specter's rule) and forgets their managers. The shared
   * admin folders are never removed: deleting one of several admins leaves them to the others.
   */
  async deleteUserData(user: Pick<User, 'id' | 'isAdmin'>): Promise<string[]> {
    const suffix = folderSuffix(user);
    if (suffix === '') return [];
    this.#managers.delete(suffix);
    const folders = userDataFolders(user);
    const removed: string[] = [];
    for (const name of [folders.wallets, folders.devices]) {
      const folder = path.join(this.dataFolder, name);
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
    }
    return removed;
  }
}

/**
 * An object that forwards every property access to `resolve()`'s result (methods bound to it), so
 * one reference follows the request's user. Typed as the manager it stands for.
 */
export function currentUserView<T extends object>(resolve: () => T, prototype: object): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      const target = resolve();
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(resolve(), prop, value);
    },
    has(_target, prop) {
      return Reflect.has(resolve(), prop);
    },
    getPrototypeOf() {
      return prototype;
    },
  });
}
