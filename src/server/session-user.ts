import type { FastifyRequest } from 'fastify';
import type { User } from '../managers/users/index.js';

/**
 * Who a session belongs to. The sealed cookie holds the user id, the user's creation id and the
 * user's session epoch at login. A session whose epoch is behind the user's (after a logout or a
 * password change), or whose creation id is another user's (the name was deleted and created
 * again), is no longer accepted, although the cookie itself is stateless.
 */
export function startSession(request: FastifyRequest, user: User): void {
  request.session.set('userId', user.id);
  request.session.set('uid', user.creationId);
  request.session.set('epoch', user.sessionEpoch);
  // A new CSRF secret with every login: a token seen before the login is worth nothing after it.
  request.session.set('_csrf', undefined);
}

export function endSession(request: FastifyRequest): void {
  request.session.set('userId', undefined);
  request.session.set('uid', undefined);
  request.session.set('epoch', undefined);
}

/** The session's user if the session is still valid for them, else undefined. */
export function sessionUser(request: FastifyRequest, lookup: (id: string) => User | undefined): User | undefined {
  const userId = request.session?.get('userId');
  if (!userId) return undefined;
  const user = lookup(userId);
  if (!user || request.session.get('uid') !== user.creationId) return undefined;
  if ((request.session.get('epoch') ?? 0) !== user.sessionEpoch) return undefined;
  return user;
}
