export { User, type UserRecord, type PasswordHash } from './user.js';
export { type EncryptedUserSecret, validateUsername, checkUserId, newCreationId } from './user-record.js';
export { UserManager, USERS_FILE, type UserLoadOptions, type UserDeleteListener } from './user-manager.js';
export { requestContext, currentUser, runAsUser, type RequestContext } from './request-context.js';
export { SecretVault, type SecretVaultOptions } from './secret-vault.js';
export {
  ApiTokenManager,
  API_TOKENS_FILE,
  API_TOKEN_SCOPES,
  type ApiTokenScope,
  type ApiTokenRecord,
  type ApiTokenInfo,
  type VerifiedApiToken,
} from './api-tokens.js';
