import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import csrfProtection from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Specter } from '../specter/index.js';
import { PACKAGE_ROOT } from '../version.js';
import { loadSessionKey } from './session.js';
import { createViewEnvironment } from './views.js';
import { registerRequestContext } from './plugins/request-context.js';
import { registerRendering } from './plugins/rendering.js';
import { registerGuards } from './plugins/guards.js';
import { registerErrorHandling } from './plugins/error-handling.js';
import { registerCoreRoutes } from './routes/index.js';
import { registerApi } from './api/index.js';
import { mountExtensions } from './extensions/mount.js';
import { registerExtensionGate } from './extensions/gate.js';
import { registerExtensionContributions } from './extensions/contributions.js';
import { registerPluginRoutes } from './extensions/plugins-routes.js';
import { walletSidebarContributor } from './wallet-sidebar.js';
import './types.js';

export interface BuildAppOptions {
  /** Fastify's own logger; off by default (Specter's logger records what matters). */
  fastifyLogger?: boolean;
}

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const STATIC_DIR = path.join(PACKAGE_ROOT, 'static');

/**
 * Builds the web app for a loaded Specter. Order matters: security plugins, then request context
 * (user resolution), then guards (login, CSRF), then routes.
 */
export async function buildApp(specter: Specter, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const config = specter.config;
  // forceCloseConnections: an idle keep-alive socket (a browser's spare connection) must not hold up
  // a shutdown until its keep-alive timeout runs out.
  const app = Fastify({ logger: options.fastifyLogger ?? false, trustProxy: false, forceCloseConnections: true });
  const endpoints = specter.endpoints;
  const views = createViewEnvironment({ searchPaths: [TEMPLATES_DIR], noCache: Boolean(config.TEMPLATES_NO_CACHE) });

  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Same-origin only; extensions under /ext/ are isolated by cookie path, not by origin.
    crossOriginEmbedderPolicy: false,
  });
  await app.register(secureSession, {
    key: await loadSessionKey(specter.dataFolder),
    cookieName: 'specter_session',
    expiry: Number(config.SESSION_MAX_AGE),
    cookie: {
      path: String(config.SPECTER_URL_PREFIX) || '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: Boolean(config.SESSION_COOKIE_SECURE),
      maxAge: Number(config.SESSION_MAX_AGE),
    },
  });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/secure-session',
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body.csrf_token === 'string' ? body.csrf_token : undefined;
      return fromBody ?? (req.headers['x-csrf-token'] as string | undefined);
    },
  });
  await app.register(rateLimit, { global: false });
  await app.register(fastifyStatic, {
    root: STATIC_DIR,
    prefix: '/static/',
    decorateReply: false,
    maxAge: config.DEBUG ? 0 : 3600 * 1000,
  });

  registerRequestContext(app, specter);
  registerRendering(app, { specter, views, endpoints });
  registerGuards(app, specter);
  registerExtensionGate(app, specter);
  registerErrorHandling(app, specter);
  // The seed's `flask_before_request`: every request, static files included, after user resolution.
  const callbacks = specter.extensionManager.callbacks;
  app.addHook('onRequest', (request, _reply, done) => {
    const pending = callbacks.fire('flask_before_request', request);
    if (pending) pending.then(() => done(), done);
    else done();
  });
  await registerCoreRoutes(app, { specter, endpoints });
  registerPluginRoutes(app, specter);
  registerExtensionContributions(app, specter);
  app.viewContributors.push(walletSidebarContributor(specter));
  await registerApi(app, specter);
  await mountExtensions(app, specter);
  await callbacks.execute('specter_added_to_flask_app');

  // preClose, not onClose: extensions (and their open streams, e.g. server-sent events) must stop
  // before Fastify waits for connections to end, or an open stream would block shutdown.
  app.addHook('preClose', async () => specter.close());
  // Last start-up step, as in Specter: extensions get the scheduler and do their initialising work.
  await specter.extensionManager.afterServerInit();
  return app;
}
