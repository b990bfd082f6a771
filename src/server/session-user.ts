import type { FastifyRequest } from 'fastify';
import type { User } from '../managers/users/index.js';

/**
 * Who a session belongs to. The sealed cookie holds the user id and the user's session epoch at
 * login; a session whose epoch is behind the user's (after a logout or a password change) is
 * no longer accepted, although the cookie itself is stateless.
 */
export function startSession(request: FastifyRequest, user: User): void {
  request.session.set('userId', user.id);
  request.session.set('epoch', user.sessionEpoch);
}

export function endSession(request: FastifyRequest): void {
  request.session.set('userId', undefined);
  request.session.set('epoch', undefined);
}

/** The session's user id if its epoch is current, else undefined. */
export function sessionUserId(request: FastifyRequest, lookup: (id: string) => User | undefined): User | undefined {
  const userId = request.session?.get('userId');
  if (!userId) return undefined;
  const user = lookup(userId);
  if (!user || (request.session.get('epoch') ?? 0) !== user.sessionEpoch) return undefined;
  return user;
}
