/**
 * `/spc/settings/tokens`: the user's API tokens (BTCPay Greenfield style) — create one with a name
 * and a scope, see the list, revoke. The token text is shown once, in the answer to the create
 * form (never in a redirect, a flash cookie or a log), with `Cache-Control: no-store`. A refused
 * form is shown again with the error and what the user typed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import { API_TOKEN_SCOPES } from '../../../managers/users/index.js';
import { SpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError } from '../wallets-view.js';

const createBody = formBody({ name: formText, scope: formText });
const tokenParams = z.object({ tokenId: pathParam });

export default async function tokenSettings(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const tokens = specter.apiTokens;
  const listUrl = () => specter.endpoints.urlFor('settings_endpoint.tokens');
  scope.settingsTabProviders.push(() => [{ key: 'tokens', title: 'API tokens', url: listUrl() }]);

  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: Record<string, unknown> = {}) => {
    reply.header('cache-control', 'no-store');
    return reply.render('settings/tokens.njk', {
      settings_tabs: await scope.settingsTabs(request),
      active_tab: 'tokens',
      tokens: tokens.list(request.user!),
      scopes: API_TOKEN_SCOPES,
      values: { name: '', scope: 'read' },
      ...ctx,
    });
  };

  app.get('/tokens', { config: { access: 'user', endpoint: 'settings_endpoint.tokens' } }, async (request, reply) => render(request, reply));

  app.post('/tokens', { schema: { body: createBody }, config: { access: 'user', endpoint: 'settings_endpoint.tokens' } }, async (request, reply) => {
    const values = { name: request.body.name, scope: request.body.scope };
    try {
      const scopeName = API_TOKEN_SCOPES.find((s) => s === values.scope);
      if (!scopeName)
        throw new SpecterError('VALIDATION', `Scope "${values.scope}" is unknown.`, {
          hint: `Choose ${API_TOKEN_SCOPES.join(' or ')}.`,
          details: { field: 'scope' },
        });
      const created = await tokens.create(request.user!, values.name, scopeName);
      specter.logger.info({ user: request.user!.id, tokenId: created.id, scope: created.info.scope }, 'API token created');
      return await render(request, reply, { created: { ...created.info, token: created.token } });
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return render(request, reply, { values, error });
    }
  });

  app.post(
    '/tokens/:tokenId/revoke',
    { schema: { params: tokenParams }, config: { access: 'user', endpoint: 'settings_endpoint.revoke_token' } },
    async (request, reply) => {
      const { tokenId } = request.params;
      const revoked = await tokens.revoke(request.user!, tokenId);
      specter.logger.info({ user: request.user!.id, tokenId }, 'API token revoked');
      await flash(request, `API token "${revoked.name}" revoked.`, 'success');
      return reply.redirect(listUrl());
    },
  );
}
