import type { FastifyInstance, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Specter } from '../../specter/index.js';
import type { ApiTokenScope } from '../../managers/users/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { ApiAuthenticator } from './api-auth.js';
import { setRequestUser } from '../plugins/request-context.js';
import { routeDefaults } from '../plugins/route-table.js';
import { toErrorView } from '../plugins/error-handling.js';
import { registerExtensionApi } from '../extensions/api.js';
import { registerExtensionDataApi } from './extension-data.js';
import { registerWalletApi } from './wallets.js';
import { registerChainApi } from './chain.js';
import { registerNodeApi } from './nodes.js';
import { registerPsbtApi } from './psbts.js';
import { registerTorApi } from './tor.js';
import { registerPriceApi } from './price.js';

const API = '/api/v1';

declare module 'fastify' {
  interface FastifyRequest {
    /** The HTTP Basic password of this API request, kept only for the request (unlocks the user secret). */
    apiPassword?: string;
    /** Set when an API token authenticated this request (tokens cannot unlock encrypted data). */
    apiToken?: { id: string; scope: ApiTokenScope };
  }
}

/**
 * A request a browser sent on behalf of another site. The API has no CSRF token (scripts call it
 * with HTTP Basic), so a browser must not be able to call it from another origin: in auth mode
 * "none" the API needs no credentials at all, and a browser may have cached Basic credentials. A
 * cross-site form post (`application/x-www-form-urlencoded` or `text/plain`) needs no CORS
 * preflight, so it would reach the handler. Scripts send neither header; browsers send
 * `Sec-Fetch-Site` (modern ones) or at least `Origin` on a cross-origin POST.
 */
export function isCrossSiteBrowserRequest(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true; // "null" (sandboxed frame, file:) or garbage
  }
}

export async function registerApi(app: FastifyInstance, specter: Specter): Promise<void> {
  // Tokens, or HTTP Basic with a cached check; password guessing is throttled like the login form.
  const auth = new ApiAuthenticator(specter, {
    maxFailuresPerMinute: Number(specter.config.LOGIN_RATE_LIMIT),
    basicCacheTtlMs: Number(specter.config.API_BASIC_CACHE_TTL) * 1000,
  });
  await app.register(
    async (api) => {
      routeDefaults(api, { access: 'user' });
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      api.setErrorHandler(async (err, request, reply) => {
        const view = toErrorView(err);
        if (view.status >= 500) specter.logger.error({ err, url: request.url }, 'API request failed');
        return reply.code(view.status).send({
          error: {
            code: view.code,
            message: view.message,
            hint: view.hint,
            ...(view.details && Object.keys(view.details).length ? { details: view.details } : {}),
          },
        });
      });
      api.addHook('onRequest', async (request, reply) => {
        const access = request.routeOptions.config.access ?? 'user';
        if (access === 'public') return;
        if (isCrossSiteBrowserRequest(request)) {
          throw new SpecterError('CSRF_INVALID', 'The JSON API does not answer requests a browser makes for another site.', {
            hint: 'Call the API from a script or the command line (curl), not from a web page.',
          });
        }
        try {
          const identity = await auth.authenticate(request);
          if (identity.password !== undefined) request.apiPassword = identity.password;
          if (identity.token) request.apiToken = identity.token;
          setRequestUser(request, identity.user);
        } catch (err) {
          if (isSpecterError(err) && err.status === 401) reply.header('WWW-Authenticate', 'Basic realm="Specter TS", charset="UTF-8"');
          throw err;
        }
        if (access === 'admin' && !request.user?.isAdmin) {
          throw new SpecterError('AUTH_FORBIDDEN', 'Only an admin can do this.', { hint: "Use an admin user's credentials." });
        }
      });
      // Inside this scope, so an unknown API path still asks for credentials before saying 404.
      api.setNotFoundHandler(async (request) => {
        throw new SpecterError('NOT_FOUND', `No API route ${request.method} ${request.url.split('?')[0]}.`, {
          hint: 'See docs/API.md for the routes.',
        });
      });
      api.get('/health', { config: { access: 'public' } }, async () => ({ status: 'ok', version: specter.version }));
      registerExtensionApi(api, specter);
      registerExtensionDataApi(api, specter);
      registerWalletApi(api, specter);
      registerChainApi(api, specter);
      registerNodeApi(api, specter);
      registerPsbtApi(api, specter);
      registerTorApi(api, specter);
      registerPriceApi(api, specter);
    },
    { prefix: API },
  );
}
