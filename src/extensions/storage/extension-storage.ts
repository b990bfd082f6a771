import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { currentUser } from '../../managers/users/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { EncryptedUserStore } from './encrypted-user-store.js';
import { deleteUserFiles, purgeExtension, renameUserFiles, wipeEncrypted, type PurgeReport, type StorageFiles, type WalletRef } from './lifecycle.js';
import { migrateLegacyServiceFiles, type LegacyMigrationReport } from './legacy-files.js';
import { checkExtensionId, userServiceFiles, type UserServiceFiles } from './names.js';
import type { ServiceData } from './service-file.js';
import { UnencryptedUserStore } from './unencrypted-user-store.js';
import { removeServiceEntry, type UserServiceStore } from './user-store.js';

/** Specter's auth modes; only `none` matters here (no password, hence no user secret). */
export type AuthMethod = 'none' | 'passwordonly' | 'usernamepassword' | 'rpcpasswordaspin';

/** Where decrypted user secrets live (UserManager's in-memory vault). */
export interface SecretSource {
  secretOf(userId: string): string | undefined;
}

/** What storage needs of a user: the id (for the vault) and the username (for the file names). */
export interface StorageUser {
  readonly id: string;
  readonly username: string;
}

export interface ExtensionStorageOptions {
  dataFolder: string;
  store: JsonFileStore;
  users: SecretSource;
  /** Read on every encrypted access, so switching the auth mode takes effect at once. */
  authMethod: () => AuthMethod | string;
  /** For life-cycle events (never data). */
  logger?: Logger;
}

/**
 * Extension data of the user in the request context (`currentUser()`), or of a named user.
 * `encrypt` picks the store: the extension's `encryptData`.
 *
 * Nothing decrypted is cached: each call reads the file under its lock and decrypts only the entry
 * asked for (tens of microseconds), so there is no plaintext copy to forget at logout. The key is
 * looked up in the vault on every call; once the user logs out, the next call is refused.
 */
export class ExtensionStorage {
  readonly dataFolder: string;
  readonly #store: JsonFileStore;
  readonly #users: SecretSource;
  readonly #authMethod: () => string;
  readonly #logger: Logger | undefined;

  constructor(options: ExtensionStorageOptions) {
    this.dataFolder = options.dataFolder;
    this.#store = options.store;
    this.#users = options.users;
    this.#authMethod = options.authMethod;
    this.#logger = options.logger;
  }

  async getCurrentUserServiceData<T extends object = ServiceData>(extId: string, encrypt: boolean): Promise<Partial<T>> {
    return this.#current(extId).get<T>(extId, encrypt);
  }

  async setCurrentUserServiceData<T extends object = ServiceData>(extId: string, encrypt: boolean, data: T): Promise<void> {
    return this.#current(extId).set(extId, encrypt, data);
  }

  async updateCurrentUserServiceData<T extends object = ServiceData>(extId: string, encrypt: boolean, partial: Partial<T>): Promise<Partial<T>> {
    return this.#current(extId).update<T>(extId, encrypt, partial);
  }

  async removeCurrentUserServiceData(extId: string, encrypt: boolean): Promise<boolean> {
    return this.#current(extId).remove(extId, encrypt);
  }

  /** A named user's data (scheduler jobs, admin tools). Encrypted access still needs their secret in the vault. */
  forUser(user: StorageUser): UserServiceData {
    return new UserServiceData(this, this.#store, user, undefined);
  }

  /**
   * A named user's data with a secret the caller unwrapped for this request only (JSON API with
   * HTTP Basic: the password unlocks it, the vault is not touched). Drop the object after the request.
   */
  withSecret(user: StorageUser, userSecret: string): UserServiceData {
    return new UserServiceData(this, this.#store, user, userSecret);
  }

  /** The user's two files, `<data>/users/<username>/…` (a user object or a username). */
  filesOf(user: string | Pick<StorageUser, 'username'>): UserServiceFiles {
    return userServiceFiles(this.dataFolder, typeof user === 'string' ? user : user.username);
  }

  /**
   * Copies Specter Desktop's `<username>_services.json` / `<username>_unencrypted_services.json`
   * of `users` into their folders (rules in legacy-files.ts); `allUsernames` names every user, so
   * a file name two users could claim is recognised. Originals are kept.
   */
  async migrateLegacyFiles(users: readonly Pick<StorageUser, 'username'>[], allUsernames: readonly string[]): Promise<LegacyMigrationReport> {
    return migrateLegacyServiceFiles(this.#files(), users, allUsernames);
  }

  /**
   * The store behind one access, after the access rules (auth mode, unlocked secret) have been
   * applied; `extId` only names the extension in the errors.
   */
  storeFor(user: StorageUser, encrypt: boolean, extId: string, explicitSecret?: string): UserServiceStore {
    const files = this.filesOf(user.username);
    if (!encrypt) return new UnencryptedUserStore(files.unencrypted, this.#store);
    if (this.#authMethod() === 'none') {
      throw new SpecterError(
        'USER_SECRET_UNAVAILABLE',
        `Extension "${extId}" keeps its data encrypted, which needs an authentication method with a password; authentication is set to "none".`,
        {
          hint: 'Choose a password-based method in Settings → Authentication, then log in.',
          details: { extensionId: extId, userId: user.id },
        },
      );
    }
    const secret = explicitSecret ?? this.#users.secretOf(user.id);
    if (!secret) {
      throw new SpecterError(
        'USER_SECRET_LOCKED',
        `The data of extension "${extId}" is encrypted with your user secret, which is not unlocked (for example after a server restart).`,
        {
          hint: 'Log in again with your password.',
          details: { extensionId: extId, userId: user.id },
        },
      );
    }
    return new EncryptedUserStore(files.encrypted, this.#store, secret);
  }

  // Life cycle (see lifecycle.ts for the rules).

  async wipeEncrypted(user: Pick<StorageUser, 'username'>): Promise<void> {
    return wipeEncrypted(this.#files(), user);
  }

  async purgeExtension(extId: string, users: readonly Pick<StorageUser, 'username'>[], wallets: readonly WalletRef[]): Promise<PurgeReport> {
    return purgeExtension(this.#files(), extId, users, wallets);
  }

  async deleteUserFiles(user: Pick<StorageUser, 'username'>): Promise<string[]> {
    return deleteUserFiles(this.#files(), user);
  }

  async renameUserFiles(oldUsername: string, newUsername: string): Promise<string[]> {
    return renameUserFiles(this.#files(), oldUsername, newUsername);
  }

  #files(): StorageFiles {
    return { dataFolder: this.dataFolder, store: this.#store, logger: this.#logger };
  }

  #current(extId: string): UserServiceData {
    const user = currentUser();
    if (!user) {
      throw new SpecterError(
        'EXT_NO_USER',
        `Extension "${extId}" used per-user storage without a current user (outside a request, or in a request nobody is logged in to).`,
        {
          hint: 'Outside a request (scheduled jobs, startup), name the user: storage.forUser(user).get(…).',
          details: { extensionId: extId },
        },
      );
    }
    return this.forUser(user);
  }
}

/** One user's extension data, for any extension; `encrypt` picks the store per call. */
export class UserServiceData {
  readonly #owner: ExtensionStorage;
  readonly #jsonStore: JsonFileStore;
  readonly #secret: string | undefined;

  /** Made by `ExtensionStorage.forUser` / `withSecret`. */
  constructor(
    owner: ExtensionStorage,
    jsonStore: JsonFileStore,
    readonly user: StorageUser,
    secret: string | undefined,
  ) {
    this.#owner = owner;
    this.#jsonStore = jsonStore;
    this.#secret = secret;
  }

  /** `{}` when the extension has no data, hence `Partial<T>`. */
  async get<T extends object = ServiceData>(extId: string, encrypt: boolean): Promise<Partial<T>> {
    return (await this.#store(extId, encrypt).get(extId)) as Partial<T>;
  }

  /** Replaces the extension's data; `{}` removes it. Only plain JSON objects are accepted. */
  async set<T extends object = ServiceData>(extId: string, encrypt: boolean, data: T): Promise<void> {
    return this.#store(extId, encrypt).set(extId, data as ServiceData);
  }

  /** Shallow merge (a key set to `undefined` is dropped); `{}` writes nothing. Resolves to the merged data. */
  async update<T extends object = ServiceData>(extId: string, encrypt: boolean, partial: Partial<T>): Promise<Partial<T>> {
    return (await this.#store(extId, encrypt).update(extId, partial as ServiceData)) as Partial<T>;
  }

  /** Atomic read-modify-write under the file's lock (see UserServiceStore.modify). */
  async modify<T extends object = ServiceData>(extId: string, encrypt: boolean, fn: (current: Partial<T>) => Partial<T>): Promise<Partial<T>> {
    return (await this.#store(extId, encrypt).modify(extId, fn as (current: ServiceData) => ServiceData)) as Partial<T>;
  }

  /** Removing needs no key, so it works while locked and under auth `none`. */
  async remove(extId: string, encrypt: boolean): Promise<boolean> {
    checkExtensionId(extId);
    const files = this.#owner.filesOf(this.user.username);
    return removeServiceEntry(this.#jsonStore, encrypt ? files.encrypted : files.unencrypted, extId);
  }

  #store(extId: string, encrypt: boolean): UserServiceStore {
    checkExtensionId(extId);
    return this.#owner.storeFor(this.user, encrypt, extId, this.#secret);
  }
}
