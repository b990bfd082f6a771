import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';
import type { EndpointRegistry } from '../../extensions/index.js';
import { registerWelcomeRoutes } from './welcome.js';
import { registerAuthRoutes } from './auth.js';
import { registerSettingsRoutes } from './settings.js';
import { registerTokenSettingsRoutes } from './settings-tokens.js';
import { registerWalletAreaRoutes } from './wallets.js';

export interface RouteDeps {
  specter: Specter;
  endpoints: EndpointRegistry;
}

/** The core areas of DESIGN.md §3. Each area registers its routes and named endpoints. */
export async function registerCoreRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const prefix = String(deps.specter.config.SPECTER_URL_PREFIX);
  app.get('/', { config: { public: true } }, async (_req, reply) => reply.redirect(String(deps.specter.config.ROOT_URL_REDIRECT)));
  app.get(`${prefix}`, { config: { public: true } }, async (_req, reply) => reply.redirect(`${prefix}/`));
  app.get(`${prefix}/`, async (_req, reply) => reply.redirect(deps.endpoints.urlFor('welcome_endpoint.index')));
  registerWelcomeRoutes(app, deps, prefix);
  registerAuthRoutes(app, deps, prefix);
  registerSettingsRoutes(app, deps, prefix);
  registerTokenSettingsRoutes(app, deps, prefix);
  registerWalletAreaRoutes(app, deps, prefix);
}
