/**
 * The persistence layer: crash-safe JSON data files with a per-file lock and `.bkp`, Fernet, and
 * Specter Desktop–compatible password hashes and user-secret wrapping. Depends only on `errors`
 * (and `log` for its default logger).
 */
export { JsonFileStore, type JsonFileStoreOptions } from './json-file-store.js';
export { SnapshotJournal, COMPACT_MIN_BYTES, type SnapshotJournalOptions } from './snapshot-journal.js';
export { withFileLock, activeFileLockCount } from './file-lock.js';
export { removeStaleTempFiles } from './atomic-file.js';
export type { OnPersist, PersistEvent, PersistMode } from './persistence-callback.js';
export type { PersistenceLogger } from './logger.js';
export { Fernet, InvalidTokenError } from './fernet.js';
export { hashPassword, verifyPassword, dummyCheck, PASSWORD_HASH_ITERATIONS, type PasswordHash } from './password-hash.js';
export { KdfPool, kdfPool, configureKdfPool, observeKdf, pbkdf2Sha256, shutdownKdfWorkers, type KdfCall, type KdfPoolOptions } from './kdf.js';
export {
  generateUserSecret,
  wrapUserSecret,
  unwrapUserSecret,
  USER_SECRET_ITERATIONS,
  type WrappedUserSecret,
} from './user-secret.js';
export {
  GenericDataManager,
  allFieldsButVersion,
  ENCRYPTED_STORAGE_VERSION_FIELD,
  type EncryptedFields,
  type GenericDataManagerOptions,
  type JsonObject,
} from './generic-data-manager.js';
