import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../../specter/index.js';
import type { User } from '../../../managers/users/index.js';
import type { AreaOptions } from '../index.js';
import { dummyCheck } from '../../../persistence/index.js';
import { pushFlash } from '../../flash.js';
import { setRequestUser } from '../../plugins/request-context.js';
import { endSession, startSession } from '../../session-user.js';
import { formBody, formText } from '../../schemas.js';

/**
 * Only same-app paths are followed after login, never another origin (`//evil`, `https:`). Only
 * printable ASCII: a request's own URL always is (the browser percent-encodes it), and anything
 * else (a decoded CR/LF, a non-Latin-1 character) cannot go into a Location header at all.
 */
export function safeNext(next: unknown, prefix: string): string {
  if (typeof next !== 'string' || !next.startsWith(`${prefix}/`) || next.startsWith('//') || next.includes('\\') || /[^\x21-\x7e]/.test(next))
    return `${prefix}/`;
  return next;
}

/** The seed's `on_user_login` hook, for the user's active extensions; a throw is only logged. */
async function notifyLogin(specter: Specter, user: User): Promise<void> {
  for (const ext of specter.services.activation.activeFor(user)) {
    if (typeof ext.onUserLogin !== 'function') continue;
    try {
      await ext.onUserLogin({ id: user.id, name: user.username, isAdmin: user.isAdmin });
    } catch (err) {
      specter.extensionManager.health.recordFailure(ext.id, 'onUserLogin', err);
      specter.logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed in onUserLogin`);
    }
  }
}

const loginQuery = z.object({ next: z.string().optional() });
const loginBody = formBody({ username: formText, password: formText, next: formText });

/** `/spc/auth/`: login and logout. */
export default async function authArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const prefix = String(specter.config.SPECTER_URL_PREFIX);
  const renderLogin = (next: string, username = '') => ({ next, show_username: specter.authMethod === 'usernamepassword', username });

  app.get(
    '/login',
    { schema: { querystring: loginQuery }, config: { access: 'public', endpoint: 'auth_endpoint.login' } },
    async (request, reply) => {
      const next = safeNext(request.query.next, prefix);
      if (specter.authMethod === 'none' || request.user) return reply.redirect(next);
      return reply.render('auth/login.njk', renderLogin(next));
    },
  );

  app.post(
    '/login',
    {
      schema: { body: loginBody },
      config: {
        access: 'public',
        endpoint: 'auth_endpoint.login',
        rateLimit: { max: Number(specter.config.LOGIN_RATE_LIMIT), timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const next = safeNext(body.next, prefix);
      if (specter.authMethod === 'none') return reply.redirect(next);
      const candidate = specter.authMethod === 'passwordonly' ? specter.userManager.admin : specter.userManager.getByUsername(body.username.trim());
      // An unknown username runs the same password derivation as a known one (no timing leak).
      const user = candidate?.record.password ? await specter.userManager.authenticate(candidate.id, body.password) : await dummyCheck(body.password);
      if (!user) {
        specter.logger.warn({ username: body.username, ip: request.ip }, 'failed login');
        endSession(request);
        pushFlash(request, specter.authMethod === 'passwordonly' ? 'Wrong password.' : 'Wrong username or password.', 'error');
        reply.code(401);
        return reply.render('auth/login.njk', renderLogin(next, body.username));
      }
      startSession(request, user);
      setRequestUser(request, user);
      specter.logger.info({ user: user.id }, 'login');
      await notifyLogin(specter, user);
      return reply.redirect(next);
    },
  );

  app.get('/logout', { config: { access: 'user', endpoint: 'auth_endpoint.logout' } }, async (_request, reply) => reply.render('auth/logout.njk'));
  app.post('/logout', { config: { access: 'user', endpoint: 'auth_endpoint.logout' } }, async (request: FastifyRequest, reply) => {
    const user = request.user;
    if (user) {
      specter.userManager.lock(user.id);
      // Logging out ends every session of this user, not only this browser's cookie.
      await specter.userManager.endSessions(user.id);
    }
    endSession(request);
    setRequestUser(request, undefined);
    pushFlash(request, 'You have been logged out.', 'info');
    return reply.redirect(specter.authMethod === 'none' ? `${prefix}/` : specter.endpoints.urlFor('auth_endpoint.login'));
  });
}
