import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import {
  hashPassword,
  verifyPassword,
  generateUserSecret,
  wrapUserSecret,
  unwrapUserSecret,
  type JsonFileStore,
} from '../../persistence/index.js';
import { User, type UserRecord } from './user.js';
import { parseUsersFile, validateUsername } from './user-record.js';
import { SecretVault, type SecretVaultOptions } from './secret-vault.js';

export const USERS_FILE = 'users.json';

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
  readonly filePath: string;

  constructor(
    private readonly dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly logger: Logger,
    vault: SecretVaultOptions = {},
  ) {
    this.filePath = path.join(dataFolder, USERS_FILE);
    this.secrets = new SecretVault(vault);
  }

  /** Reads users.json, creating Specter's default admin on a fresh data folder. */
  async load(): Promise<void> {
    const raw = await this.store.read<unknown>(this.filePath);
    if (raw === undefined) {
      this.users = [await this.newRecord('admin', 'admin', true, 'admin')];
      await this.save();
      this.logger.info({ path: this.filePath }, 'created users.json with the default admin user');
      return;
    }
    this.users = parseUsersFile(raw, this.filePath);
    if (this.users.length === 0) {
      throw new SpecterError('DATA_FILE_CORRUPT', `${this.filePath} holds no users.`, {
        hint: 'Restore users.json.bkp or delete users.json to recreate the default admin.',
      });
    }
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

  getByUsername(username: string): User | undefined {
    const record = this.users.find((u) => u.username === username);
    return record && new User(record);
  }

  require(id: string): User {
    const user = this.get(id);
    if (!user) throw new SpecterError('USER_NOT_FOUND', `No user with id "${id}".`);
    return user;
  }

  async addUser(username: string, password: string, isAdmin = false): Promise<User> {
    const name = validateUsername(username);
    const assertFree = () => {
      if (this.users.some((u) => u.username === name || u.id === name)) {
        throw new SpecterError('USER_EXISTS', `A user named "${name}" already exists.`, { hint: 'Choose another username.' });
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
    };
  }

  private async save(): Promise<void> {
    // Persist a copy so the in-memory records are never aliased by the writer.
    await this.store.write(this.filePath, structuredClone(this.users));
  }
}
