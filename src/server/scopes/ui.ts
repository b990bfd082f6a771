/**
 * The web UI under SPECTER_URL_PREFIX (/spc): the only scope with sessions and CSRF. Its hooks are
 * the guard — a route's `config.access` says who may pass, nothing here looks at the URL:
 *
 *   onRequest   resolve the session's user → send anonymous visitors to the login page
 *               → refuse non-admins on admin routes → the seed's `flask_before_request`
 *   preHandler  CSRF check on every state-changing request
 *
 * The core areas live in routes/<area>/ with their own prefixes; extension blueprints are served
 * by one dispatch route (extensions/mount.ts), whose access and CSRF rule come from the blueprint
 * route the request matches.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import sessions from '../plugins/sessions.js';
import { setRequestUser } from '../plugins/request-context.js';
import { sessionUser } from '../session-user.js';
import { mountExtensionDispatch, type ExtensionDispatcher } from '../extensions/mount.js';
import { registerCoreAreas } from '../routes/index.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface UiScopeOptions {
  specter: Specter;
  dispatcher: ExtensionDispatcher;
}

export default async function uiScope(ui: FastifyInstance, { specter, dispatcher }: UiScopeOptions): Promise<void> {
  await ui.register(sessions, { specter });
  const prefix = String(specter.config.SPECTER_URL_PREFIX);

  ui.addHook('onRequest', async (request) => {
    setRequestUser(request, currentUser(request, specter));
  });
  ui.addHook('onRequest', async (request, reply) => {
    // Fail closed: a route without a rule (the scope's 404) needs a login too.
    const access = dispatcher.accessOf(request) ?? request.routeOptions.config.access ?? 'user';
    if (access === 'public') return;
    if (!request.user) return sendToLogin(request, reply, prefix);
    if (access === 'admin' && !request.user.isAdmin) {
      throw new SpecterError('AUTH_FORBIDDEN', 'Only an admin can do this.', { hint: 'Log in as an admin user.' });
    }
  });
  const callbacks = specter.extensionManager.callbacks;
  ui.addHook('onRequest', (request, _reply, done) => {
    // The seed's `flask_before_request`, for pages (health checks and static files never wait on
    // a plugin). A slow or hanging callback is cut off by the callback timeout.
    const pending = callbacks.fire('flask_before_request', request);
    if (pending) pending.then(() => done(), done);
    else done();
  });
  // Callback style on purpose: csrfProtection answers 403 itself and never calls `done` then.
  ui.addHook('preHandler', (request, reply, done) => {
    if (!STATE_CHANGING.has(request.method) || (dispatcher.csrfOf(request) ?? request.routeOptions.config.csrf) === false) return done();
    ui.csrfProtection(request, reply, done);
  });

  ui.setNotFoundHandler(async (request) => {
    throw new SpecterError('NOT_FOUND', `Nothing here: ${request.url.split('?')[0]}`, { hint: 'Check the address or use the menu.' });
  });

  ui.get('/', { config: { access: 'user' } }, async (_request, reply) => reply.redirect(specter.endpoints.urlFor('welcome_endpoint.index')));
  await registerCoreAreas(ui, specter);
  await mountExtensionDispatch(ui, specter, dispatcher, 'session');
}

function currentUser(request: FastifyRequest, specter: Specter) {
  if (specter.authMethod === 'none') return specter.userManager.admin;
  const user = sessionUser(request, (id) => specter.userManager.get(id));
  // In "passwordonly" only the admin can log in; older sessions of other users do not count.
  if (user && specter.authMethod === 'passwordonly' && user.id !== specter.userManager.admin.id) return undefined;
  return user;
}

export function sendToLogin(request: FastifyRequest, reply: FastifyReply, prefix: string) {
  const next = request.method === 'GET' ? request.url : `${prefix}/`;
  return reply.redirect(`${prefix}/auth/login?next=${encodeURIComponent(next)}`);
}
