/**
 * Every loaded extension's blueprints, each in a Fastify scope of its own under its prefix:
 *
 *   blueprint scope   (prefix /spc/ext/<id>[/<key>] or /ext/<id>[/<key>])
 *     onRequest: the extension is loaded and not switched off, else 404
 *     static/        its static folder (reachable while loaded: "Choose plugins" shows the icons
 *                    of extensions the user has not activated)
 *     routes scope   onRequest: active for the logged-in user (session blueprints), else 404;
 *                    isolated blueprints get a CSP sandbox instead (no session, opaque origin)
 *
 * Access comes from the route options: `login: false` makes a route public, isolated blueprints
 * are public (they never see the session cookie).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Blueprint, BlueprintRoute, Extension } from '../../extensions/index.js';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import { routeDefaults } from '../plugins/route-table.js';
import { addSearchPath } from '../views.js';
import { pluginRequest } from './plugin-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The extension whose blueprint serves this request, if any. */
    extension?: Extension;
  }
}

/**
 * The sandbox keeps an isolated page's scripts in an opaque origin: they can still talk to their
 * own routes with plain navigations and forms, but a fetch to /spc is cross-origin (no cookie is
 * sent with SameSite=Strict, and the answer cannot be read).
 */
export const ISOLATED_SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-downloads';

function toPreHandlers(value: unknown): preHandlerHookHandler[] {
  if (typeof value === 'function') return [value as preHandlerHookHandler];
  if (Array.isArray(value)) return value.filter((v): v is preHandlerHookHandler => typeof v === 'function');
  return [];
}

function notFound(ext: Extension): SpecterError {
  return new SpecterError('EXT_NOT_FOUND', `The plugin "${ext.id}" is not available.`, { hint: 'Activate it in "Choose plugins".' });
}

function mountRoute(scope: FastifyInstance, ext: Extension, route: BlueprintRoute, isolated: boolean): void {
  const { login, csrf, preHandler, schema } = route.options;
  scope.route({
    method: route.method,
    url: route.url,
    config: {
      access: isolated || login === false ? 'public' : 'user',
      extension: ext.id,
      ...(csrf === false && { csrf: false }),
    },
    preHandler: toPreHandlers(preHandler),
    ...(schema && typeof schema === 'object' ? { schema } : {}),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      request.extension = ext;
      return route.handler(pluginRequest(request) as never, reply as never);
    },
  });
}

async function mountBlueprint(parent: FastifyInstance, specter: Specter, ext: Extension, bp: Blueprint, prefix: string): Promise<void> {
  const isolated = ext.manifest.isolatedClient;
  const manager = specter.extensionManager;
  await parent.register(
    async (bpScope) => {
      routeDefaults(bpScope, { access: isolated ? 'public' : 'user', extension: ext.id });
      bpScope.addHook('onRequest', async () => {
        if (!manager.isActive(ext.id)) throw notFound(ext);
      });
      if (bp.staticFolder) {
        await bpScope.register(fastifyStatic, {
          root: bp.staticFolder,
          prefix: '/static/',
          decorateReply: false,
          maxAge: specter.config.DEBUG ? 0 : 3600 * 1000,
        });
      }
      await bpScope.register(async (routes) => {
        if (isolated) {
          routes.addHook('onSend', async (_request, reply, payload) => {
            const csp = reply.getHeader('content-security-policy');
            reply.header('content-security-policy', csp ? `${String(csp)}; ${ISOLATED_SANDBOX}` : ISOLATED_SANDBOX);
            return payload;
          });
        } else {
          // Unauthenticated requests were already sent to the login page by the /spc scope.
          routes.addHook('onRequest', async (request) => {
            if (request.user && !specter.services.activation.isActiveFor(request.user, ext.id)) throw notFound(ext);
          });
        }
        for (const route of bp.routes) mountRoute(routes, ext, route, isolated);
      });
    },
    { prefix },
  );
}

/**
 * Mounts the blueprints of one kind: `session` ones inside the /spc scope (`parent`), `isolated`
 * ones at the root. Template folders join the nunjucks search path once, with the session kind.
 */
export async function mountExtensionScopes(parent: FastifyInstance, specter: Specter, kind: 'session' | 'isolated'): Promise<void> {
  const manager = specter.extensionManager;
  const spc = String(specter.config.SPECTER_URL_PREFIX);
  if (kind === 'session') for (const dir of manager.templateFolders()) addSearchPath(parent.views, dir);
  for (const ext of manager.extensions) {
    if (ext.manifest.isolatedClient !== (kind === 'isolated')) continue;
    for (const bp of manager.blueprintsOf(ext.id)) {
      let prefix = bp.urlPrefix;
      if (kind === 'session') {
        if (!prefix.startsWith(`${spc}/`)) {
          throw new SpecterError(
            'CONFIG_INVALID',
            `EXT_URL_PREFIX must lie inside SPECTER_URL_PREFIX (${spc}); blueprint ${bp.name} is at ${prefix}.`,
            {
              hint: 'Set EXT_URL_PREFIX to a path under SPECTER_URL_PREFIX, e.g. /spc/ext.',
            },
          );
        }
        prefix = prefix.slice(spc.length);
      }
      await mountBlueprint(parent, specter, ext, bp, prefix);
    }
  }
}
