export { User, type UserRecord, type PasswordHash } from './user.js';
export { type EncryptedUserSecret, validateUsername, checkUserId, newCreationId } from './user-record.js';
export { UserManager, USERS_FILE, type UserLoadOptions, type UserDeleteListener } from './user-manager.js';
export { requestContext, currentUser, runAsUser, type RequestContext } from './request-context.js';
