import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './index.js';
import { pushFlash } from '../flash.js';
import { dummyCheck } from '../../persistence/index.js';
import { setRequestUser } from '../plugins/request-context.js';
import { endSession, startSession } from '../session-user.js';

interface LoginBody {
  username?: string;
  password?: string;
  next?: string;
}

/**
 * Only same-app paths are followed after login, never another origin (`//evil`, `https:`). Only
 * printable ASCII: a request's own URL always is (the browser percent-encodes it), and anything
 * else (a decoded CR/LF, a non-Latin-1 character) cannot go into a Location header at all.
 */
export function safeNext(next: unknown, prefix: string): string {
  if (typeof next !== 'string' || !next.startsWith(`${prefix}/`) || next.startsWith('//') || next.includes('\\') || /[^\x21-\x7e]/.test(next)) return `${prefix}/`;
  return next;
}

/** The seed's `on_user_login` hook, for the user's active extensions; a throw is only logged. */
async function notifyLogin(specter: RouteDeps['specter'], user: import('../../managers/users/index.js').User): Promise<void> {
  for (const ext of specter.services.activation.activeFor(user)) {
    if (typeof ext.onUserLogin !== 'function') continue;
    try {
      await ext.onUserLogin(user);
    } catch (err) {
      specter.extensionManager.health.recordFailure(ext.id, 'onUserLogin', err);
      specter.logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed in onUserLogin`);
    }
  }
}

export function registerAuthRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/auth`;
  endpoints.registerEndpoint('auth_endpoint.login', `${base}/login`);
  endpoints.registerEndpoint('auth_endpoint.logout', `${base}/logout`);

  const renderLogin = (request: FastifyRequest, next: string) =>
    ({ next, show_username: specter.authMethod === 'usernamepassword', username: (request.body as LoginBody | undefined)?.username ?? '' });

  app.get(`${base}/login`, { config: { public: true } }, async (request, reply) => {
    const next = safeNext((request.query as { next?: string }).next, prefix);
    if (specter.authMethod === 'none' || request.user) return reply.redirect(next);
    return reply.render('auth/login.njk', renderLogin(request, next));
  });

  app.post(`${base}/login`, {
    config: { public: true, rateLimit: { max: Number(specter.config.LOGIN_RATE_LIMIT), timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as LoginBody;
    const next = safeNext(body.next, prefix);
    if (specter.authMethod === 'none') return reply.redirect(next);
    const candidate = specter.authMethod === 'passwordonly'
      ? specter.userManager.admin
      : specter.userManager.getByUsername(String(body.username ?? '').trim());
    const password = String(body.password ?? '');
    // An unknown username runs the same password derivation as a known one (no timing leak).
    const user = candidate?.record.password ? await specter.userManager.authenticate(candidate.id, password) : await dummyCheck(password);
    if (!user) {
      specter.logger.warn({ username: body.username, ip: request.ip }, 'failed login');
      endSession(request);
      pushFlash(request, specter.authMethod === 'passwordonly' ? 'Wrong password.' : 'Wrong username or password.', 'error');
      reply.code(401);
      return reply.render('auth/login.njk', renderLogin(request, next));
    }
    startSession(request, user);
    setRequestUser(request, user);
    specter.logger.info({ user: user.id }, 'login');
    await notifyLogin(specter, user);
    return reply.redirect(next);
  });

  app.get(`${base}/logout`, async (_request, reply) => reply.render('auth/logout.njk'));
  app.post(`${base}/logout`, async (request, reply) => {
    const user = request.user;
    if (user) {
      specter.userManager.lock(user.id);
      // Logging out ends every session of this user, not only this browser's cookie.
      await specter.userManager.endSessions(user.id);
    }
    endSession(request);
    setRequestUser(request, undefined);
    pushFlash(request, 'You have been logged out.', 'info');
    return reply.redirect(specter.authMethod === 'none' ? `${prefix}/` : endpoints.urlFor('auth_endpoint.login'));
  });
}
