import type { EncryptedUserSecret } from './user-record.js';

/**
 * A user as the app sees it. The on-disk shape is {@link UserRecord} (Specter's users.json layout);
 * this wraps it with the in-memory, never-persisted plaintext secret state.
 */
export interface PasswordHash {
  salt: string;
  pwdhash: string;
}

export interface UserRecord {
  id: string;
  username: string;
  password: PasswordHash | null;
  is_admin: boolean;
  jwt_tokens?: Record<string, unknown>;
  encrypted_user_secret: EncryptedUserSecret | null;
  /** Extension ids active for this user (Specter's `services`). */
  services: string[];
  /** Extension ids the user deactivated on purpose, so opt_out ones are not re-added. Ours, not Specter's. */
  services_removed?: string[];
  /**
   * Sessions carry the epoch they started in; bumping it (logout, password change) ends every
   * session of the user, although session cookies are stateless. Ours, not Specter's.
   */
  session_epoch?: number;
  [extra: string]: unknown;
}

export class User {
  constructor(readonly record: UserRecord) {}

  get id(): string {
    return this.record.id;
  }

  get username(): string {
    return this.record.username;
  }

  get isAdmin(): boolean {
    return this.record.is_admin;
  }

  get services(): readonly string[] {
    return this.record.services;
  }

  /**
   * Random per user record (placeholder until users carry `uid`): differs between a deleted user
   * and a new one of the same name.
   */
  get creationId(): string {
    return typeof this.record.uid === 'string' ? this.record.uid : this.record.id;
  }

  get sessionEpoch(): number {
    return this.record.session_epoch ?? 0;
  }

  hasService(id: string): boolean {
    return this.record.services.includes(id);
  }
}
