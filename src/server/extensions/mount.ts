import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Blueprint, BlueprintRoute, Extension } from '../../extensions/index.js';
import type { Specter } from '../../specter/index.js';
import { addSearchPath } from '../views.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The extension whose blueprint serves this request, if any. */
    extension?: Extension;
  }
}

function toPreHandlers(value: unknown): preHandlerHookHandler[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]) as preHandlerHookHandler[];
}

function mountRoute(app: FastifyInstance, ext: Extension, bp: Blueprint, route: BlueprintRoute, isolated: boolean): void {
  const { login, csrf, preHandler, ...rest } = route.options;
  app.route({
    method: route.method,
    url: route.path,
    // Isolated clients never get the session cookie, so they cannot require a login.
    config: { public: isolated || login === false, ...(csrf === false && { csrf: false }) },
    preHandler: toPreHandlers(preHandler),
    ...(rest.schema ? { schema: rest.schema as object } : {}),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      request.extension = ext;
      return route.handler(request as never, reply as never);
    },
  });
  void bp;
}

/**
 * Mounts every loaded extension: its template folder joins the nunjucks search path, each
 * blueprint's routes are registered under its prefix, and its static folder is served at
 * `<prefix>/static/`. Per-user gating happens in the request gate, not by (un)mounting.
 */
export async function mountExtensions(app: FastifyInstance, specter: Specter): Promise<void> {
  const manager = specter.extensionManager;
  for (const dir of manager.templateFolders()) addSearchPath(app.views, dir);
  for (const ext of manager.extensions) {
    for (const bp of manager.blueprintsOf(ext.id)) {
      const isolated = ext.manifest.isolatedClient;
      for (const route of bp.routes) mountRoute(app, ext, bp, route, isolated);
      if (bp.staticFolder) {
        await app.register(fastifyStatic, {
          root: bp.staticFolder,
          prefix: `${bp.urlPrefix}/static/`,
          decorateReply: false,
          maxAge: specter.config.DEBUG ? 0 : 3600 * 1000,
        });
      }
    }
  }
}
