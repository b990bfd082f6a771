/**
 * Extension blueprints, served without a restart. Fastify cannot add or remove routes once it is
 * ready, so each prefix has ONE Fastify route that dispatches to the current set of blueprint
 * routes (dispatch-table.ts, rebuilt whenever an extension is loaded or unloaded):
 *
 *   /spc scope    ALL <EXT_URL_PREFIX>/*                sessions, login, CSRF of the /spc scope; the
 *                                                        route's access and CSRF opt-out come from the
 *                                                        matched blueprint route (ui.ts asks here)
 *   root          ALL <ISOLATED_CLIENT_EXT_URL_PREFIX>/*  no session, CSP sandbox on every answer
 *
 * Per request: the extension is loaded and not switched off (else a page saying so, with the link
 * to switch it on), active for the logged-in user on session blueprints (else 404), then the
 * route's schema, its preHandlers and its handler. Static files (`<prefix>/static/…`) are served
 * while the extension is loaded: "Choose plugins" shows the icons of extensions a user has not
 * activated. Every request is counted in flight until its response ends, so an unload waits for it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fastifyStatic from '@fastify/static';
import type nunjucks from 'nunjucks';
import type { Extension } from '../../extensions/index.js';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import { addSearchPath, removeSearchPath } from '../views.js';
import type { RouteAccess } from '../types.js';
import { DispatchTable, type DispatchMatch } from './dispatch-table.js';
import { pluginRequest } from './plugin-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The extension whose blueprint serves this request, if any. */
    extension?: Extension;
  }
  interface FastifyContextConfig {
    /** Set on the one dispatch route of each prefix. */
    dispatch?: 'session' | 'isolated';
  }
}

/**
 * The sandbox keeps an isolated page's scripts in an opaque origin: they can still talk to their
 * own routes with plain navigations and forms, but a fetch to /spc is cross-origin (no cookie is
 * sent with SameSite=Strict, and the answer cannot be read).
 */
export const ISOLATED_SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-downloads';

/** The methods a blueprint route may have (blueprint.ts), and so the dispatch routes'. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const matches = new WeakMap<FastifyRequest, DispatchMatch | null>();

function notFound(ext: Extension): SpecterError {
  return new SpecterError('EXT_NOT_FOUND', `The plugin "${ext.id}" is not available.`, { hint: 'Activate it in "Choose plugins".' });
}

/**
 * Keeps the dispatch table and the nunjucks search path in step with the loaded extensions, and
 * answers for the dispatch routes.
 */
export class ExtensionDispatcher {
  readonly #specter: Specter;
  readonly #views: nunjucks.Environment;
  #table: DispatchTable;
  readonly #templateDirs = new Set<string>();
  readonly #unsubscribe: () => void;

  constructor(specter: Specter, views: nunjucks.Environment) {
    this.#specter = specter;
    this.#views = views;
    this.#table = this.#rebuild();
    this.#unsubscribe = specter.extensionManager.onChange(() => {
      this.#table = this.#rebuild();
    });
  }

  /** The current table's routes (the route table lists them with the app's own). */
  rows() {
    return this.#table.rows();
  }

  /** Stops following the extension manager (the app is closing). */
  close(): void {
    this.#unsubscribe();
  }

  #rebuild(): DispatchTable {
    const manager = this.#specter.extensionManager;
    const table = DispatchTable.build(manager, this.#specter.logger);
    const dirs = new Set(manager.templateFolders());
    for (const dir of this.#templateDirs) {
      if (dirs.has(dir)) continue;
      removeSearchPath(this.#views, dir);
      this.#templateDirs.delete(dir);
    }
    for (const dir of dirs) {
      if (this.#templateDirs.has(dir)) continue;
      addSearchPath(this.#views, dir);
      this.#templateDirs.add(dir);
    }
    return table;
  }

  /** The blueprint route a dispatch request goes to (looked up once per request), or null. */
  match(request: FastifyRequest): DispatchMatch | null {
    let found = matches.get(request);
    if (found === undefined) {
      const raw = request.raw.url ?? request.url;
      const q = raw.indexOf('?');
      found = this.#table.match(request.method, q < 0 ? raw : raw.slice(0, q)) ?? null;
      matches.set(request, found);
    }
    return found;
  }

  /**
   * Who may call this request's route: the matched blueprint route's rule for dispatch routes
   * (no match: 'user', so an unknown address under /spc needs a login like the scope's 404), else
   * undefined (the route's own `config.access` applies).
   */
  accessOf(request: FastifyRequest): RouteAccess | undefined {
    if (!request.routeOptions.config.dispatch) return undefined;
    return this.match(request)?.target.access ?? (request.routeOptions.config.dispatch === 'isolated' ? 'public' : 'user');
  }

  /** False when the matched blueprint route opted out of CSRF (`csrf: false`); undefined elsewhere. */
  csrfOf(request: FastifyRequest): boolean | undefined {
    if (!request.routeOptions.config.dispatch) return undefined;
    return this.match(request)?.target.csrf;
  }

  /** The page for an extension that exists but is switched off: names it, the reason and where to switch it on. */
  switchedOff(extId: string): SpecterError | undefined {
    const manager = this.#specter.extensionManager;
    if (manager.isActive(extId)) return undefined;
    const status = manager.statuses().find((s) => s.id === extId);
    if (!status) return undefined;
    const tripped = manager.health.tripInfo(extId);
    let why: string;
    if (tripped) why = tripped.reason;
    else if (manager.isDisabled(extId)) why = 'switched off by an admin';
    else if (status.status === 'loaded') why = 'being switched off or reloaded';
    else return undefined;
    const url = `${this.#specter.endpoints.urlFor('plugins_endpoint.choose')}#plugin-admin-${extId}`;
    return new SpecterError('EXT_SWITCHED_OFF', `The plugin "${status.name}" is ${why}.`, {
      hint: 'An admin can switch it on again under "Choose plugins".',
      details: { ext: extId, reenable_url: url },
    });
  }

  /** The handler of the dispatch routes. */
  async dispatch(request: FastifyRequest, reply: FastifyReply, kind: 'session' | 'isolated'): Promise<unknown> {
    const specter = this.#specter;
    const manager = specter.extensionManager;
    const found = this.match(request);
    if (!found) {
      const prefix = String(kind === 'isolated' ? specter.config.ISOLATED_CLIENT_EXT_URL_PREFIX : specter.config.EXT_URL_PREFIX).replace(/\/+$/, '');
      const [extId = '', second] = request.url.slice(prefix.length + 1).split(/[/?]/);
      // A switched-off plugin's pages say so; its static files are simply not there.
      const off = extId && second !== 'static' ? this.switchedOff(decodeURIComponent(extId)) : undefined;
      if (off) throw off;
      throw new SpecterError('NOT_FOUND', `Nothing here: ${request.url.split('?')[0]}`, { hint: 'Check the address or use the menu.' });
    }
    const { target, params } = found;
    const ext = target.ext;
    if (!manager.isActive(ext.id) || manager.get(ext.id) !== ext) {
      // Static files of a switched-off plugin are simply not there; its pages say why.
      throw (target.route && this.switchedOff(ext.id)) || notFound(ext);
    }
    if (target.route && !target.isolated && request.user && !specter.services.activation.isActiveFor(request.user, ext.id)) throw notFound(ext);
    request.extension = ext;
    const release = manager.inflight.enter(ext.id);
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
    if (!target.route) {
      return reply.sendFile(params['*'] ?? '', target.bp.staticFolder!, { maxAge: specter.config.DEBUG ? 0 : 3600 * 1000 });
    }
    request.params = params;
    for (const [part, validate] of target.validators) {
      const data = part === 'body' ? request.body : part === 'querystring' ? request.query : part === 'params' ? request.params : request.headers;
      if (!validate(data)) throw validationError(part, validate.errors ?? []);
    }
    for (const pre of target.preHandlers) {
      await runPreHandler(pre, request, reply);
      if (reply.sent) return reply;
    }
    // Plugins get a narrowed request (plugin-request.ts): user as {id, name, isAdmin}, no app root.
    return target.route.handler(pluginRequest(request) as never, reply as never);
  }
}

/** Fastify's own validation error shape, so the error pages say which field (error-handling.ts). */
function validationError(part: string, errors: unknown[]): Error {
  const first = errors[0] as { instancePath?: string; message?: string } | undefined;
  return Object.assign(new Error(`${part}${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`), {
    statusCode: 400,
    validation: errors,
    validationContext: part,
  });
}

/** A preHandler in either Fastify style: async, or with a `done` callback. */
function runPreHandler(pre: preHandlerHookHandler, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (pre.length < 3)
    return Promise.resolve((pre as (req: FastifyRequest, rep: FastifyReply) => unknown).call(request.server, request, reply)).then(() => undefined);
  return new Promise((resolve, reject) => {
    (pre as (req: FastifyRequest, rep: FastifyReply, done: (err?: Error) => void) => void).call(request.server, request, reply, (err?: Error) =>
      err ? reject(err) : resolve(),
    );
  });
}

/**
 * Registers the dispatch route of one kind: `session` inside the /spc scope (`parent`), `isolated`
 * at the root (with the CSP sandbox on every answer).
 */
export async function mountExtensionDispatch(
  parent: FastifyInstance,
  specter: Specter,
  dispatcher: ExtensionDispatcher,
  kind: 'session' | 'isolated',
): Promise<void> {
  const spc = String(specter.config.SPECTER_URL_PREFIX);
  let prefix = String(kind === 'isolated' ? specter.config.ISOLATED_CLIENT_EXT_URL_PREFIX : specter.config.EXT_URL_PREFIX).replace(/\/+$/, '');
  if (kind === 'session') {
    if (!prefix.startsWith(`${spc}/`)) {
      throw new SpecterError('CONFIG_INVALID', `EXT_URL_PREFIX must lie inside SPECTER_URL_PREFIX (${spc}); it is ${prefix}.`, {
        hint: 'Set EXT_URL_PREFIX to a path under SPECTER_URL_PREFIX, e.g. /spc/ext.',
      });
    }
    prefix = prefix.slice(spc.length);
  }
  await parent.register(
    async (scope) => {
      // reply.sendFile for the blueprints' static folders (each request names its folder).
      await scope.register(fastifyStatic, { serve: false });
      if (kind === 'isolated') {
        scope.addHook('onSend', async (_request, reply, payload) => {
          const csp = reply.getHeader('content-security-policy');
          reply.header('content-security-policy', csp ? `${String(csp)}; ${ISOLATED_SANDBOX}` : ISOLATED_SANDBOX);
          return payload;
        });
      }
      scope.route({
        method: METHODS,
        url: '/*',
        config: { access: kind === 'isolated' ? 'public' : 'user', dispatch: kind },
        handler: (request, reply) => dispatcher.dispatch(request, reply, kind),
      });
    },
    { prefix },
  );
}
