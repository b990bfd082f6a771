/**
 * Extension storage: per-user service data (encrypted with the user secret, or plain), the
 * life-cycle rules for that data, and per-wallet annotations. File formats are Specter Desktop's,
 * so a Specter data folder opens as it is (see docs/ARCHITECTURE.md, "Extension storage").
 */
export {
  ExtensionStorage,
  UserServiceData,
  type AuthMethod,
  type ExtensionStorageOptions,
  type SecretSource,
  type StorageUser,
} from './extension-storage.js';
export { UserServiceStore, removeServiceEntry } from './user-store.js';
export { EncryptedUserStore } from './encrypted-user-store.js';
export { UnencryptedUserStore } from './unencrypted-user-store.js';
export { ServiceAnnotationsStorage, type Annotations, type AnnotationsOptions } from './annotations.js';
export {
  wipeEncrypted,
  purgeExtension,
  annotationWallets,
  deleteUserFiles,
  renameUserFiles,
  type PurgeReport,
  type StorageFiles,
  type WalletRef,
} from './lifecycle.js';
export { migrateLegacyServiceFiles, classifyServiceFile, looksLikeFernetToken, type LegacyMigrationReport } from './legacy-files.js';
export {
  userServiceFiles,
  legacyServiceFiles,
  userFolder,
  USERS_FOLDER,
  annotationFile,
  checkExtensionId,
  checkWalletAlias,
  checkUsername,
  VERSION_FIELD,
  STORAGE_VERSION,
  type UserServiceFiles,
} from './names.js';
export type { ServiceData } from './service-file.js';
