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
  /**
   * 16 random hex digits made when the record is created (added on load to records that lack
   * it). A user deleted and created again under the same name gets a new one, so anything bound
   * to it (sessions) does not carry over. Ours, not Specter's; Specter's `uid` in config.json is
   * the installation's id, hence the different name.
   */
  creation_id?: string;
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

  /** The record's creation id (see {@link UserRecord.creation_id}); always set once users.json is loaded. */
  get creationId(): string {
    return this.record.creation_id ?? '';
  }

  get sessionEpoch(): number {
    return this.record.session_epoch ?? 0;
  }

  hasService(id: string): boolean {
    return this.record.services.includes(id);
  }
}
