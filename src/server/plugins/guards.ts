import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where a request path belongs, for the guards. */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/');
}

/**
 * The path the router matched, for every security decision (login, CSRF, extension gate, session).
 * Never `request.url`: the router decodes percent-escapes before matching, so `/%73pc/settings/…`
 * reaches the `/spc/settings/…` handler while its raw URL does not start with `/spc`. The matched
 * route's pattern is the canonical form; a request no route matched (404) gets its decoded path.
 */
export function routePath(request: FastifyRequest): string {
  const pattern = request.routeOptions?.url;
  if (pattern) return pattern;
  const raw = request.url.split('?', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Login on every non-public /spc route and CSRF on every state change. Public routes opt out with
 * `config: { public: true }`; the JSON API authenticates itself (HTTP Basic) and is not cookie-based,
 * so CSRF does not apply there.
 */
export function registerGuards(app: FastifyInstance, specter: Specter): void {
  const prefix = String(specter.config.SPECTER_URL_PREFIX);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public) return;
    if (!routePath(request).startsWith(prefix)) return;
    if (!request.user) return sendToLogin(request, reply, prefix);
  });
  // Callback style on purpose: csrfProtection answers 403 itself and never calls `done` then.
  app.addHook('preHandler', (request, reply, done) => {
    const path = routePath(request);
    const skip = !STATE_CHANGING.has(request.method) || request.routeOptions.config?.csrf === false
      || isApiPath(path) || !path.startsWith(prefix);
    if (skip) return done();
    app.csrfProtection(request, reply, done);
  });
}

export function sendToLogin(request: FastifyRequest, reply: FastifyReply, prefix: string) {
  const next = request.method === 'GET' ? request.url : `${prefix}/`;
  return reply.redirect(`${prefix}/auth/login?next=${encodeURIComponent(next)}`);
}

/** For handlers: the admin-only routes of settings (users, auth). */
export function requireAdmin(request: FastifyRequest): void {
  if (!request.user?.isAdmin) {
    throw new SpecterError('AUTH_FORBIDDEN', 'Only an admin can do this.', { hint: 'Log in as an admin user.' });
  }
}
