/**
 * The web app for a loaded Specter, in the order requests meet it:
 *
 *   root (cross-cutting, fastify-plugin)  host allow-list → helmet → request context → rendering,
 *                                          route table, error pages, settings tabs, static files
 *   /spc      (scopes/ui.ts)               sessions, login, admin and CSRF hooks; the core areas in
 *                                          routes/<area>/; /spc/ext/* dispatches to the extensions'
 *                                          blueprint routes (extensions/mount.ts, changes at runtime)
 *   /api/v1   (api/index.ts)               credentials (token or HTTP Basic), JSON errors
 *   /ext/*    (isolated blueprints)        no session, CSP sandbox
 *
 * Who may call a route is its `config.access`; the scopes enforce it, and the route table refuses
 * to start an app with a route that has none.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Specter } from '../specter/index.js';
import { PACKAGE_ROOT } from '../version.js';
import { createViewEnvironment, warmViewEnvironment } from './views.js';
import hostAllowlist from './plugins/host-allowlist.js';
import requestContext from './plugins/request-context.js';
import rendering from './plugins/rendering.js';
import routeTable, { routeDefaults } from './plugins/route-table.js';
import errorHandling from './plugins/error-handling.js';
import settingsTabs from './plugins/settings-tabs.js';
import uiScope from './scopes/ui.js';
import { registerApi } from './api/index.js';
import { ExtensionDispatcher, mountExtensionDispatch } from './extensions/mount.js';
import { registerExtensionContributions } from './extensions/contributions.js';
import { walletSidebarContributor } from './wallet-sidebar.js';
import { nodeSidebarContributor } from './node-sidebar.js';
import './types.js';

export interface BuildAppOptions {
  /** Fastify's own logger; off by default (Specter's logger records what matters). */
  fastifyLogger?: boolean;
}

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const STATIC_DIR = path.join(PACKAGE_ROOT, 'static');

export async function buildApp(specter: Specter, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const config = specter.config;
  const app = Fastify({
    logger: options.fastifyLogger ?? false,
    trustProxy: false,
    // An idle keep-alive socket (a browser's spare connection) must not hold up a shutdown.
    forceCloseConnections: true,
    // Every wait is bounded: a client that sends half a body, a handler that never answers.
    requestTimeout: Number(config.REQUEST_TIMEOUT),
    connectionTimeout: Number(config.CONNECTION_TIMEOUT),
    handlerTimeout: Number(config.HANDLER_TIMEOUT),
    // Node reads these when the server is created (Fastify's own requestTimeout is set too late for
    // the periodic check), and checks them only every connectionsCheckingInterval (30 s by default).
    http: {
      requestTimeout: Number(config.REQUEST_TIMEOUT),
      headersTimeout: Math.min(60_000, Number(config.REQUEST_TIMEOUT)),
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(Number(config.REQUEST_TIMEOUT) / 2))),
    },
  });
  const endpoints = specter.endpoints;
  const views = createViewEnvironment({ searchPaths: [TEMPLATES_DIR], noCache: Boolean(config.TEMPLATES_NO_CACHE) });

  await app.register(hostAllowlist, {
    host: String(config.HOST),
    allowed: config.ALLOWED_HOSTS,
    // The onion address, while the app is published as an onion service.
    dynamic: () => (specter.tor.onionAddress ? [specter.tor.onionAddress] : []),
  });
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
    crossOriginEmbedderPolicy: false,
  });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(rateLimit, { global: false });
  await app.register(routeTable, { endpoints });
  await app.register(requestContext, { specter });
  await app.register(rendering, { specter, views, endpoints });
  await app.register(errorHandling, { specter });
  await app.register(settingsTabs, { endpoints });
  app.viewContributors.push(walletSidebarContributor(specter), nodeSidebarContributor(specter));
  registerExtensionContributions(app, specter);

  await app.register(async (publicFiles) => {
    routeDefaults(publicFiles, { access: 'public' });
    await publicFiles.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', decorateReply: false, maxAge: config.DEBUG ? 0 : 3600 * 1000 });
    publicFiles.get('/', async (_request, reply) => reply.redirect(String(config.ROOT_URL_REDIRECT)));
  });
  const dispatcher = new ExtensionDispatcher(specter, views);
  app.addRouteRows(() => dispatcher.rows());
  await app.register(uiScope, { specter, dispatcher, prefix: String(config.SPECTER_URL_PREFIX) });
  await registerApi(app, specter);
  await mountExtensionDispatch(app, specter, dispatcher, 'isolated');
  await specter.extensionManager.callbacks.execute('specter_added_to_flask_app');

  // preClose, not onClose: extensions (and their open streams, e.g. server-sent events) must stop
  // before Fastify waits for connections to end, or an open stream would block shutdown.
  app.addHook('preClose', async () => {
    dispatcher.close();
    await specter.close();
  });
  // The active node's status poll runs while the server does (specter.close() stops it). Not
  // awaited: a node that does not answer must not hold up the start.
  app.addHook('onReady', async () => {
    if (!config.TEMPLATES_NO_CACHE) await warmViewEnvironment(views, TEMPLATES_DIR);
    specter.nodeManager.startPolling().catch((err: unknown) => specter.logger.error({ err }, 'could not start the node status poll'));
    // Plugins installed or removed while the app runs (`<data>/plugins/plugins.json`) come and go.
    await specter.extensionManager.watchPluginsFolder();
    // Tor as the settings ask (a failure shows on Settings → Tor); not awaited, like the node poll.
    void specter.tor.start();
  });
  // The onion service points at the address the server listens on, known only now.
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address && typeof address === 'object') {
      specter.tor.setAppTarget(address.address, address.port);
      void specter.tor.start();
    }
  });
  // Last start-up step, as in Specter: extensions get the scheduler and do their initialising work.
  await specter.extensionManager.afterServerInit();
  return app;
}
