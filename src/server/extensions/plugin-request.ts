import type { FastifyRequest } from 'fastify';
import type { ExtRequest, UserInfo } from '../../extensions/index.js';

/**
 * The request a plugin's handler receives: the same Fastify request, except that `user` is what a
 * plugin may see of a user ({id, name, isAdmin}) — not the app's User, whose record holds the
 * password hash. Everything else is read through the prototype, so Fastify's own methods and the
 * session work unchanged.
 */
export function pluginRequest(request: FastifyRequest): ExtRequest {
  const user = request.user;
  const info: UserInfo | undefined = user ? Object.freeze({ id: user.id, name: user.username, isAdmin: user.isAdmin }) : undefined;
  return Object.create(request, { user: { value: info, enumerable: true } }) as ExtRequest;
}
