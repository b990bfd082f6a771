import { SpecterError } from '../errors/index.js';
import type { UserInfo } from './context/types.js';
import type { EndpointRegistry } from './endpoints.js';

/**
 * A framework-neutral blueprint: the controller module fills it with route definitions, the server
 * adapts them to Fastify. Nothing here knows about HTTP.
 *
 * Controller module contract (the module named by `blueprintModule(s)`, default `controller.js`
 * next to main):
 *
 * ```js
 * export default function controller(bp, ext) {
 *   bp.get('/', 'index', async (req, reply) => reply.render('swan/index.njk', { ext }));
 *   bp.post('/settings', 'settings_post', async (req, reply) => { … });
 * }
 * ```
 *
 * Names and prefixes (specter-behaviour.md §2): the default blueprint is `<id>_endpoint`, mounted at
 * `<EXT_URL_PREFIX>/<id>/`; a keyed one is `<id>_<key>_endpoint` at `<EXT_URL_PREFIX>/<id>/<key>/`;
 * with `isolatedClient` the prefix is `ISOLATED_CLIENT_EXT_URL_PREFIX` instead. Every blueprint
 * has a `static` endpoint: `swan_endpoint.static` with `{filename}` → `/spc/ext/swan/static/<filename>`.
 */

/** The request fields an extension handler may rely on; Fastify's request satisfies it. */
export interface ExtRequest {
  method: string;
  url: string;
  params: unknown;
  query: unknown;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The logged-in user (undefined on isolated-client routes, which never see the session). */
  user?: UserInfo | undefined;
}

/** The reply methods an extension handler may rely on; Fastify's reply satisfies it. */
export interface ExtReply {
  code(statusCode: number): ExtReply;
  header(name: string, value: string): ExtReply;
  redirect(url: string, code?: number): unknown;
  send(payload?: unknown): unknown;
  /** Renders a nunjucks template inside the app's layout context (`ext`, `specter`, `url_for`, …). */
  render(template: string, context?: Record<string, unknown>): unknown;
  /** Takes over the response (streaming, server-sent events): write to `raw` yourself. */
  hijack(): unknown;
  readonly raw: import('node:http').ServerResponse;
}

export type RouteHandler<Req = ExtRequest, Rep = ExtReply> = (request: Req, reply: Rep) => unknown;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/**
 * Per-route options. The server gives them meaning; conventional keys: `login` (default true:
 * the route needs a logged-in user), `csrf` (default true for state-changing methods), `schema`.
 */
export interface ExtRouteOptions {
  login?: boolean;
  csrf?: boolean;
  [key: string]: unknown;
}

export interface BlueprintRoute<Req = ExtRequest, Rep = ExtReply> {
  method: HttpMethod;
  /** As the controller wrote it, relative to the blueprint: `/`, `/settings`, `/wallet/:wallet_alias`. */
  url: string;
  /** Full path, prefix included: `/spc/ext/swan/settings`. */
  path: string;
  /** `swan_endpoint.settings_get`. */
  endpoint: string;
  handler: RouteHandler<Req, Rep>;
  options: ExtRouteOptions;
}

export interface BlueprintInit {
  extId: string;
  key: string;
  urlPrefix: string;
  /** Absolute; undefined when the package has no such folder. */
  templateFolder?: string | undefined;
  /** Absolute; undefined when the package has no such folder (the static endpoint still builds URLs). */
  staticFolder?: string | undefined;
  isolatedClient: boolean;
  /** The controller module, for error messages. */
  module?: string;
}

const ENDPOINT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const BLUEPRINT_KEY = /^[a-z0-9_-]+$/;

export function blueprintName(extId: string, key: string): string {
  return key === 'default' ? `${extId}_endpoint` : `${extId}_${key}_endpoint`;
}

/** Mount prefix without trailing slash: `/spc/ext/swan`, `/spc/ext/swan/ui`, `/ext/swan`. */
export function blueprintPrefix(
  config: { EXT_URL_PREFIX: string; ISOLATED_CLIENT_EXT_URL_PREFIX: string },
  extId: string,
  key: string,
  isolatedClient: boolean,
): string {
  const base = (isolatedClient ? config.ISOLATED_CLIENT_EXT_URL_PREFIX : config.EXT_URL_PREFIX).replace(/\/+$/, '');
  return key === 'default' ? `${base}/${extId}` : `${base}/${extId}/${key}`;
}

/** Fastify path → URL template for {@link EndpointRegistry}: drops `:param(regex)` regexes. */
function toUrlTemplate(path: string): string {
  return path.replace(/(:[A-Za-z_][A-Za-z0-9_]*)\([^)]*\)/g, '$1');
}

export class Blueprint<Req = ExtRequest, Rep = ExtReply> {
  readonly name: string;
  readonly extId: string;
  readonly key: string;
  readonly urlPrefix: string;
  readonly templateFolder: string | undefined;
  readonly staticFolder: string | undefined;
  readonly isolatedClient: boolean;
  readonly module: string | undefined;
  readonly #routes: BlueprintRoute<Req, Rep>[] = [];

  constructor(init: BlueprintInit) {
    this.extId = init.extId;
    this.key = init.key;
    this.name = blueprintName(init.extId, init.key);
    this.urlPrefix = init.urlPrefix.replace(/\/+$/, '');
    this.templateFolder = init.templateFolder;
    this.staticFolder = init.staticFolder;
    this.isolatedClient = init.isolatedClient;
    this.module = init.module;
  }

  get routes(): readonly BlueprintRoute<Req, Rep>[] {
    return this.#routes;
  }

  /** `swan_endpoint.static`: serves `staticFolder` under {@link staticPrefix}. */
  get staticEndpoint(): string {
    return `${this.name}.static`;
  }

  /** `/spc/ext/swan/static/` */
  get staticPrefix(): string {
    return `${this.urlPrefix}/static/`;
  }

  get(url: string, endpoint: string, handler: RouteHandler<Req, Rep>, options?: ExtRouteOptions): this {
    return this.route({ method: 'GET', url, endpoint, handler, options });
  }

  post(url: string, endpoint: string, handler: RouteHandler<Req, Rep>, options?: ExtRouteOptions): this {
    return this.route({ method: 'POST', url, endpoint, handler, options });
  }

  put(url: string, endpoint: string, handler: RouteHandler<Req, Rep>, options?: ExtRouteOptions): this {
    return this.route({ method: 'PUT', url, endpoint, handler, options });
  }

  delete(url: string, endpoint: string, handler: RouteHandler<Req, Rep>, options?: ExtRouteOptions): this {
    return this.route({ method: 'DELETE', url, endpoint, handler, options });
  }

  route(def: { method: HttpMethod; url: string; endpoint: string; handler: RouteHandler<Req, Rep>; options?: ExtRouteOptions | undefined }): this {
    const where = `blueprint ${this.name}${this.module ? ` (${this.module})` : ''}`;
    const bad = (message: string, hint: string): never => {
      throw new SpecterError('EXT_BLUEPRINT_INVALID', `${where}: ${message}`, { hint, details: { ext: this.extId, blueprint: this.name } });
    };
    const method = String(def.method).toUpperCase() as HttpMethod;
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method))
      bad(`method "${def.method}" is not supported.`, 'Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.');
    if (typeof def.url !== 'string' || !def.url.startsWith('/'))
      bad(`route url ${JSON.stringify(def.url)} must start with "/".`, 'Write it relative to the blueprint, e.g. "/" or "/settings".');
    if (!ENDPOINT_NAME.test(def.endpoint ?? ''))
      bad(`endpoint name ${JSON.stringify(def.endpoint)} is not valid.`, 'Use an identifier, e.g. "index" or "settings_get".');
    if (def.endpoint === 'static') bad('endpoint name "static" is reserved for static files.', 'Pick another name.');
    if (typeof def.handler !== 'function') bad(`the handler of "${def.endpoint}" is not a function.`, 'Pass (req, reply) => …');
    const endpoint = `${this.name}.${def.endpoint}`;
    for (const r of this.#routes) {
      if (r.endpoint === endpoint) bad(`endpoint "${def.endpoint}" is defined twice.`, 'Give each route its own endpoint name.');
      if (r.method === method && r.url === def.url) bad(`${method} ${def.url} is defined twice (${r.endpoint}, ${endpoint}).`, 'Remove one of them.');
    }
    const path = def.url === '/' ? `${this.urlPrefix}/` : this.urlPrefix + def.url;
    this.#routes.push({ method, url: def.url, path, endpoint, handler: def.handler, options: { ...(def.options ?? {}) } });
    return this;
  }
}

/** What a controller module's default export must be. */
export type BlueprintSetup<Ext = unknown> = (bp: Blueprint, ext: Ext) => void | Promise<void>;

/** The seed's linking rule: the default blueprint needs `/` with endpoint `index`. */
// biome-ignore lint/suspicious/noExplicitAny: takes blueprints of every request/reply type (handler parameters are contravariant)
export function validateDefaultBlueprint(bp: Blueprint<any, any>): void {
  const hasIndex = bp.routes.some((r) => r.endpoint === `${bp.name}.index` && r.url === '/' && r.method === 'GET');
  if (!hasIndex) {
    throw new SpecterError(
      'EXT_BLUEPRINT_INVALID',
      `extension "${bp.extId}": the default blueprint${bp.module ? ` (${bp.module})` : ''} has no GET "/" route named "index".`,
      {
        hint: `Add bp.get('/', 'index', handler): the plugin page and the sidebar link to ${bp.name}.index. Set hasBlueprint: false if the extension has no UI.`,
        details: { ext: bp.extId, blueprint: bp.name },
      },
    );
  }
}

/**
 * Registers the routes' and static endpoints of a set of blueprints, all or nothing: if any name
 * is taken, nothing is registered. Returns the names, for rollback.
 */
// biome-ignore lint/suspicious/noExplicitAny: takes blueprints of every request/reply type (handler parameters are contravariant)
export function registerBlueprintEndpoints(registry: EndpointRegistry, blueprints: readonly Blueprint<any, any>[]): string[] {
  const entries: Array<[string, string]> = [];
  for (const bp of blueprints) {
    entries.push([bp.staticEndpoint, `${bp.urlPrefix}/static/:filename*`]);
    for (const r of bp.routes) entries.push([r.endpoint, toUrlTemplate(r.path)]);
  }
  for (const [name, path] of entries) {
    if (registry.has(name)) {
      throw new SpecterError('EXT_ENDPOINT_CONFLICT', `Endpoint "${name}" (${path}) is already registered by someone else.`, {
        hint: 'Two extensions share an id prefix or a blueprint key; rename one.',
        details: { name },
      });
    }
  }
  for (const [name, path] of entries) registry.registerEndpoint(name, path);
  return entries.map(([name]) => name);
}
