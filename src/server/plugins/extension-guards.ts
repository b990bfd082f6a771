import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExtReply, ExtRequest } from '../../extensions/index.js';
import { fastifyRequestOf } from '../extensions/plugin-request.js';
import { flash, pushFlash } from '../flash.js';
import { endSession } from '../session-user.js';

/**
 * Route guards for extension authors, used as preHandlers:
 * `bp.get('/', 'index', handler, { preHandler: userSecretDecryptedRequired })`.
 * Every `/spc/…` route already requires a login; `loginRequired` is for routes declared with
 * `{ login: false }` that still want it for some requests, and for symmetry with the seed.
 * Both take the extension's request and reply types (the same Fastify objects at run time).
 */
export async function loginRequired(req: FastifyRequest | ExtRequest, rep: FastifyReply | ExtReply): Promise<void> {
  const [request, reply] = [fastifyRequestOf(req), rep as FastifyReply];
  if (request.user) return;
  const prefix = String(request.specter.config.SPECTER_URL_PREFIX);
  await reply.redirect(`${prefix}/auth/login?next=${encodeURIComponent(request.url)}`);
}

/**
 * The seed's `user_secret_decrypted_required`: encrypted extension data needs the user's secret in
 * memory. In auth mode "none" there is none (explain and link to the auth settings); otherwise
 * the user logs in again (e.g. after a server restart) and comes back here.
 */
export async function userSecretDecryptedRequired(req: FastifyRequest | ExtRequest, rep: FastifyReply | ExtReply): Promise<void> {
  const [request, reply] = [fastifyRequestOf(req), rep as FastifyReply];
  const specter = request.specter;
  const prefix = String(specter.config.SPECTER_URL_PREFIX);
  if (specter.authMethod === 'none') {
    await flash(request, 'This plugin keeps encrypted data and needs an authentication method with a password.', 'warning');
    await reply.redirect(`${prefix}/settings/auth?next=${encodeURIComponent(request.url)}`);
    return;
  }
  if (!request.user) return loginRequired(request, reply);
  if (specter.userManager.secretOf(request.user.id) !== undefined) return;
  // The next page is the login page, where no user (and no extension) can show it: store it directly.
  pushFlash(request, 'Log in again to unlock your encrypted plugin data.', 'info');
  endSession(request);
  await reply.redirect(`${prefix}/auth/login?next=${encodeURIComponent(request.url)}`);
}
