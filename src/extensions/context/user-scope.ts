import { SpecterError } from '../../errors/index.js';
import { currentUser, runAsUser, type User } from '../../managers/users/index.js';
import type { ExtensionPorts } from '../host.js';
import type { UserInfo } from './types.js';

/** What a plugin sees of a user. */
export function userInfo(user: User): UserInfo {
  return Object.freeze({ id: user.id, name: user.username, isAdmin: user.isAdmin });
}

/** The ports, or a clear error in a bare host (tools, unit tests without an app). */
export function portsOf(ports: ExtensionPorts | undefined, extId: string, what: string): ExtensionPorts {
  if (ports) return ports;
  throw new SpecterError('EXT_STORAGE', `Plugin "${extId}" called ${what}, which needs the application; this host has none.`, {
    hint: 'Run the plugin inside Specter TS or its test harness (specter-ts/testing).',
  });
}

/**
 * The user a context call acts for: the request's (or `asUser`'s) user. Without one (a job that
 * did not say for whom) the call is refused with a hint to `asUser`.
 */
export function actingUser(extId: string, what: string): User {
  const user = currentUser();
  if (user) return user;
  throw new SpecterError('EXT_NO_USER', `Plugin "${extId}" called ${what} outside a request, without saying for which user.`, {
    hint: 'In jobs and other background work, wrap the call: ctx.asUser(user.id, () => …) for each of ctx.users.list().',
    details: { extensionId: extId },
  });
}

/**
 * A user this plugin may act for outside that user's own requests: one who activated it, and
 * only when no other user's request (or asUser) is in progress — a route serves its own user.
 */
export function userToActFor(ports: ExtensionPorts, extId: string, userId: string, what: string): User {
  const now = currentUser();
  if (now && now.id !== userId) {
    throw new SpecterError('EXT_ACCESS_DENIED', `Plugin "${extId}" called ${what} for another user while acting for "${now.username}".`, {
      hint: "A route acts for its own user only; reach other users' data from background jobs.",
      details: { extensionId: extId },
    });
  }
  const user = ports.user(userId);
  if (!user || !ports.isActiveFor(user, extId)) {
    throw new SpecterError('EXT_ACCESS_DENIED', `Plugin "${extId}" called ${what} for a user who has not activated it.`, {
      hint: 'Act only for the users of ctx.users.list(): those who activated the plugin.',
      details: { extensionId: extId },
    });
  }
  return user;
}

/** Runs `fn` as `user` (the current user of every context call inside). */
export async function actAs<T>(user: User, fn: () => T | Promise<T>): Promise<T> {
  if (currentUser()?.id === user.id) return fn();
  return runAsUser(user, fn);
}
