import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { hashPassword, verifyPassword, generateUserSecret, wrapUserSecret, unwrapUserSecret, type JsonFileStore } from '../../persistence/index.js';
import { User, type UserRecord } from './user.js';
import { newCreationId, parseUsersFile, validateUsername } from './user-record.js';
import { SecretVault, type SecretVaultOptions } from './secret-vault.js';

export const USERS_FILE = 'users.json';

export interface UserLoadOptions {
  /**
   * Runs after users.json is parsed and before the creation ids given to records that lacked one
   * are saved, with those users (records from Specter Desktop or an older Specter TS). The
   * specter layer migrates their legacy files here; should it fail, the ids are not saved, so the
   * next start tries again.
   */
  beforePersist?: (legacyUsers: User[]) => Promise<void>;
}

/** Runs before a user record is removed; a failure keeps the user (nothing half-deleted). */
export type UserDeleteListener = (user: User) => Promise<void>;

const folded = (name: string) => name.toLowerCase();

/**
 * Owns users.json (Specter's layout) and the in-memory vault of decrypted user secrets.
 *
 * The vault is the only place a plaintext user secret exists: filled at login, emptied at logout,
 * never persisted. After a restart it is empty, so a still-valid session is logged in but locked —
 * routes that need the secret send the user to log in again (the seed's behaviour).
 */
export class UserManager {
  private users: UserRecord[] = [];
  /** Plaintext secrets, dropped at logout, at session end or after idling (secret-vault.ts). */
  private readonly secrets: SecretVault;
  private readonly deleteListeners: UserDeleteListener[] = [];
  readonly filePath: string;

  constructor(
    dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly logger: Logger,
    vault: SecretVaultOptions = {},
  ) {
    this.filePath = path.join(dataFolder, USERS_FILE);
    this.secrets = new SecretVault(vault);
  }

  /** Reads users.json, creating Specter's default admin on a fresh data folder. */
  async load(options: UserLoadOptions = {}): Promise<void> {
    const raw = await this.store.read<unknown>(this.filePath);
    if (raw === undefined) {
      this.users = [await this.newRecord('admin', 'admin', true, 'admin')];
      await this.save();
      this.logger.info({ path: this.filePath }, 'created users.json with the default admin user');
      return;
    }
    const users = parseUsersFile(raw, this.filePath);
    if (users.length === 0) {
      throw new SpecterError('DATA_FILE_CORRUPT', `${this.filePath} holds no users.`, {
        hint: 'Restore users.json.bkp or delete users.json to recreate the default admin.',
      });
    }
    this.warnCaseClashes(users);
    const legacy = users.filter((u) => u.creation_id === undefined);
    for (const record of legacy) record.creation_id = newCreationId();
    this.users = users;
    if (legacy.length > 0) {
      await options.beforePersist?.(legacy.map((r) => new User(r)));
      await this.save();
    }
  }

  /**
   * Names equal but for case (possible in a users.json written elsewhere) are kept: refusing to
   * start would lock everyone out. New users can no longer clash; the operator is told.
   */
  private warnCaseClashes(users: readonly UserRecord[]): void {
    const seen = new Map<string, string>();
    for (const u of users) {
      for (const name of new Set([u.username, u.id])) {
        const other = seen.get(folded(name));
        if (other !== undefined && other !== u.id) {
          this.logger.warn(
            { user: u.id, other },
            'two users differ only in letter case; their data folders collide on case-insensitive file systems — rename or remove one',
          );
        }
        seen.set(folded(name), u.id);
      }
    }
  }

  /** Called before a user is deleted (the specter layer removes their wallets, devices and data). */
  onDelete(listener: UserDeleteListener): void {
    this.deleteListeners.push(listener);
  }

  list(): User[] {
    return this.users.map((r) => new User(r));
  }

  get admin(): User {
    const admin = this.users.find((u) => u.id === 'admin') ?? this.users.find((u) => u.is_admin);
    if (!admin) throw new SpecterError('USER_NOT_FOUND', 'users.json has no admin user.', { hint: 'Restore users.json.bkp.' });
    return new User(admin);
  }

  get(id: string): User | undefined {
    const record = this.users.find((u) => u.id === id);
    return record && new User(record);
  }

  /**
   * The user of that name: the exact name first, else the one name equal but for letter case.
   * Names are unique without regard to case, so the second step is unambiguous for every user
   * created here and spares people whose phone capitalises the first letter; the password is
   * checked all the same. Should an old users.json hold two names differing only in case, only
   * exact matches find them.
   */
  getByUsername(username: string): User | undefined {
    const exact = this.users.find((u) => u.username === username);
    if (exact) return new User(exact);
    const matches = this.users.filter((u) => folded(u.username) === folded(username));
    return matches.length === 1 ? new User(matches[0]!) : undefined;
  }

  require(id: string): User {
    const user = this.get(id);
    if (!user) throw new SpecterError('USER_NOT_FOUND', `No user with id "${id}".`);
    return user;
  }

  async addUser(username: string, password: string, isAdmin = false): Promise<User> {
    const name = validateUsername(username);
    // Without regard to case: `bob` and `BOB` would share files on case-insensitive file systems.
    const assertFree = () => {
      const clash = this.users.find((u) => folded(u.username) === folded(name) || folded(u.id) === folded(name));
      if (clash) {
        const note = clash.username === name ? '' : ' (names are compared without regard to letter case)';
        throw new SpecterError('USER_EXISTS', `A user named "${clash.username}" already exists${note}.`, {
          hint: 'Choose another username.',
          details: { username: clash.username },
        });
      }
    };
    assertFree();
    const record = await this.newRecord(name, password, isAdmin, name);
    // Again after the (slow) password hash: two concurrent adds of one name both passed the first check.
    assertFree();
    // A new user's secret exists from the start (Specter's register flow), so encrypted
    // extension data works right after their first login.
    this.users.push(record);
    await this.save();
    return new User(record);
  }

  async deleteUser(id: string): Promise<UserRecord> {
    const record = this.users.find((u) => u.id === id);
    if (!record) throw new SpecterError('USER_NOT_FOUND', `No user with id "${id}".`);
    if (record.id === 'admin') throw new SpecterError('AUTH_FORBIDDEN', 'The admin user cannot be deleted.');
    // Data first, record last: should removing the data fail, the user still exists and the
    // deletion can be repeated; a name created again never finds the old user's files.
    for (const listener of this.deleteListeners) await listener(new User(record));
    if (!this.users.includes(record)) return record; // a concurrent deletion finished first
    this.users = this.users.filter((u) => u !== record);
    this.secrets.delete(id);
    await this.save();
    return record;
  }

  /**
   * Checks the password and unlocks the user secret into the vault (generating and wrapping one
   * if the user has none yet). Returns undefined on a wrong password.
   */
  async authenticate(id: string, password: string): Promise<User | undefined> {
    const record = this.users.find((u) => u.id === id);
    if (!record?.password || !(await verifyPassword(password, record.password))) return undefined;
    await this.unlockSecret(record, password);
    return new User(record);
  }

  private async unlockSecret(record: UserRecord, password: string): Promise<void> {
    if (!record.encrypted_user_secret) {
      const secret = generateUserSecret();
      record.encrypted_user_secret = await wrapUserSecret(secret, password);
      await this.save();
      this.secrets.set(record.id, secret);
      return;
    }
    const { secret, needsRewrap } = await unwrapUserSecret(record.encrypted_user_secret, password);
    if (needsRewrap) {
      record.encrypted_user_secret = await wrapUserSecret(secret, password);
      await this.save();
    }
    this.secrets.set(record.id, secret);
  }

  /** The decrypted user secret, or undefined when the user is not logged in with a password. */
  secretOf(id: string): string | undefined {
    return this.secrets.get(id);
  }

  lock(id: string): void {
    this.secrets.delete(id);
  }

  /** Ends every session of the user (logout, password change): their cookies stop being accepted. */
  async endSessions(id: string): Promise<void> {
    const record = this.users.find((u) => u.id === id);
    if (!record) return;
    record.session_epoch = (record.session_epoch ?? 0) + 1;
    await this.save();
  }

  /**
   * Sets a new password. The data key (user secret) never changes: it is re-wrapped. If the secret
   * is not in memory it is unwrapped with the current password first, so data stays readable.
   */
  async setPassword(id: string, newPassword: string, currentPassword?: string): Promise<void> {
    const record = this.users.find((u) => u.id === id);
    if (!record) throw new SpecterError('USER_NOT_FOUND', `No user with id "${id}".`);
    let secret = this.secrets.get(id);
    if (!secret && record.encrypted_user_secret) {
      if (currentPassword === undefined) {
        throw new SpecterError('USER_SECRET_LOCKED', 'The user secret is locked, so the password cannot be changed safely.', {
          hint: 'Log out and log in again, then change the password.',
        });
      }
      secret = (await unwrapUserSecret(record.encrypted_user_secret, currentPassword)).secret;
    }
    secret ??= generateUserSecret();
    // Compute both before assigning: a concurrent change must never leave a hash and a wrapped
    // secret that belong to different passwords.
    const [password, wrapped] = await Promise.all([hashPassword(newPassword), wrapUserSecret(secret, newPassword)]);
    record.password = password;
    record.encrypted_user_secret = wrapped;
    // Sessions opened with the old password end; the caller starts a fresh one for this browser.
    record.session_epoch = (record.session_epoch ?? 0) + 1;
    this.secrets.set(id, secret);
    await this.save();
  }

  /** Auth switched to "none": no password, so no user secret may remain (Specter's rule). */
  async deleteAllSecrets(): Promise<void> {
    for (const record of this.users) record.encrypted_user_secret = null;
    this.secrets.clear();
    await this.save();
  }

  async setServices(id: string, services: string[], removed?: string[]): Promise<void> {
    const record = this.users.find((u) => u.id === id);
    if (!record) throw new SpecterError('USER_NOT_FOUND', `No user with id "${id}".`);
    record.services = [...new Set(services)];
    if (removed) record.services_removed = [...new Set(removed)];
    await this.save();
  }

  private async newRecord(username: string, password: string, isAdmin: boolean, id: string): Promise<UserRecord> {
    return {
      id,
      username,
      password: await hashPassword(password),
      is_admin: isAdmin,
      jwt_tokens: {},
      encrypted_user_secret: null,
      services: [],
      creation_id: newCreationId(),
    };
  }

  private async save(): Promise<void> {
    // Persist a copy so the in-memory records are never aliased by the writer.
    await this.store.write(this.filePath, structuredClone(this.users));
  }
}
