/**
 * `/spc/settings/tokens`: the user's API tokens (BTCPay Greenfield style) — create one with a name
 * and a scope, see the list, revoke. The token text is shown once, in the answer to the create
 * form (never in a redirect, a flash cookie or a log), with `Cache-Control: no-store`. A refused
 * form is shown again with the error and what the user typed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './index.js';
import { API_TOKEN_SCOPES } from '../../managers/users/index.js';
import { flash } from '../flash.js';
import { field, formError } from './wallets-view.js';

export function registerTokenSettingsRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/settings/tokens`;
  endpoints.registerEndpoint('settings_endpoint.tokens', base);
  endpoints.registerEndpoint('settings_endpoint.revoke_token', `${base}/:tokenId/revoke`);
  const tokens = specter.apiTokens;
  app.settingsTabProviders.push(() => [{ key: 'tokens', title: 'API tokens', url: endpoints.urlFor('settings_endpoint.tokens') }]);

  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: Record<string, unknown> = {}) => {
    reply.header('cache-control', 'no-store');
    return reply.render('settings/tokens.njk', {
      settings_tabs: await app.settingsTabs(request),
      active_tab: 'tokens',
      tokens: tokens.list(request.user!),
      scopes: API_TOKEN_SCOPES,
      values: { name: '', scope: 'read' },
      ...ctx,
    });
  };

  app.get(base, async (request, reply) => render(request, reply));

  app.post(base, async (request, reply) => {
    const values = { name: field(request.body, 'name'), scope: field(request.body, 'scope') };
    try {
      const created = await tokens.create(request.user!, values.name, values.scope as (typeof API_TOKEN_SCOPES)[number]);
      specter.logger.info({ user: request.user!.id, tokenId: created.id, scope: created.info.scope }, 'API token created');
      return await render(request, reply, { created: { ...created.info, token: created.token } });
    } catch (err) {
      reply.code(400);
      return render(request, reply, { values, error: formError(err) });
    }
  });

  app.post(`${base}/:tokenId/revoke`, async (request, reply) => {
    const { tokenId } = request.params as { tokenId: string };
    const revoked = await tokens.revoke(request.user!, tokenId);
    specter.logger.info({ user: request.user!.id, tokenId }, 'API token revoked');
    await flash(request, `API token "${revoked.name}" revoked.`, 'success');
    return reply.redirect(base);
  });
}
