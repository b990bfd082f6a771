export { User, type UserRecord, type PasswordHash } from './user.js';
export { type EncryptedUserSecret, validateUsername } from './user-record.js';
export { UserManager, USERS_FILE } from './user-manager.js';
export { requestContext, currentUser, type RequestContext } from './request-context.js';
