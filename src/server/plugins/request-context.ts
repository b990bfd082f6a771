import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { requestContext, type RequestContext, type User } from '../../managers/users/index.js';
import { sessionUserId } from '../session-user.js';

const contexts = new WeakMap<FastifyRequest, RequestContext>();

/**
 * Resolves the user of every request and runs the rest of the request inside the
 * AsyncLocalStorage context, so managers and extensions can ask for the current user.
 * In auth mode "none" every request is the admin (Specter's auto-login), without a user secret.
 */
export function registerRequestContext(app: FastifyInstance, specter: Specter): void {
  app.decorateRequest('specter', null as unknown as Specter);
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    request.specter = specter;
    const user = resolveSessionUser(request, specter);
    request.user = user;
    const ctx: RequestContext = { user };
    contexts.set(request, ctx);
    requestContext.run(ctx, done);
  });
}

function resolveSessionUser(request: FastifyRequest, specter: Specter): User | undefined {
  if (specter.authMethod === 'none') return specter.userManager.admin;
  // Isolated-client routes never see the session (the cookie is scoped to /spc anyway).
  const user = sessionUserId(request, (id) => specter.userManager.get(id));
  // In "passwordonly" only the admin can log in; older sessions of other users do not count.
  if (user && specter.authMethod === 'passwordonly' && user.id !== specter.userManager.admin.id) return undefined;
  return user;
}

/** Sets the request's user after login or HTTP Basic auth, keeping the async context in step. */
export function setRequestUser(request: FastifyRequest, user: User | undefined): void {
  request.user = user;
  const ctx = contexts.get(request);
  if (ctx) ctx.user = user;
}
