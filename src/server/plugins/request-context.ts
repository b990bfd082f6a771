import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { requestContext, type RequestContext, type User } from '../../managers/users/index.js';

const contexts = new WeakMap<FastifyRequest, RequestContext>();

/**
 * Gives every request `request.specter` and runs the rest of it inside the AsyncLocalStorage
 * context, so managers and extensions can ask for the current user. Who the user is, is decided
 * by the scope the route lives in (the session under /spc, credentials under /api/v1); in auth
 * mode "none" every request that reaches a scope is the admin's (Specter's auto-login), without a
 * user secret.
 */
async function requestContextPlugin(app: FastifyInstance, { specter }: { specter: Specter }): Promise<void> {
  app.decorateRequest('specter', null as unknown as Specter);
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    request.specter = specter;
    const ctx: RequestContext = { user: undefined };
    contexts.set(request, ctx);
    requestContext.run(ctx, done);
  });
}

export default fp(requestContextPlugin, { name: 'request-context', fastify: '5.x' });

/** Sets the request's user (session, login, API credentials), keeping the async context in step. */
export function setRequestUser(request: FastifyRequest, user: User | undefined): void {
  request.user = user;
  const ctx = contexts.get(request);
  if (ctx) ctx.user = user;
}
