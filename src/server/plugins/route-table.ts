import fp from 'fastify-plugin';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { EndpointRegistry } from '../../extensions/index.js';
import type { RouteAccess } from '../types.js';

/** One row of the app's route table: what the route-walk test and the docs read. */
export interface RouteRow {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  endpoint: string | undefined;
  /** Routes of an extension blueprint carry the extension id. */
  extension: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app with its access rule: Fastify's routes, then the current dynamic ones. */
    readonly routeTable: RouteRow[];
    /** Adds a source of routes served behind one Fastify route (extension blueprints; they change at runtime). */
    addRouteRows(source: () => readonly RouteRow[]): void;
  }
  interface FastifyContextConfig {
    /** Set on extension blueprint routes: the extension id. */
    extension?: string;
  }
}

/**
 * Collects every route into {@link FastifyInstance.routeTable} and registers its endpoint name
 * (`config.endpoint`) for `url_for`, so no hand-kept table can drift from the routes. An app with
 * a route that has no access rule does not start: the rule is what the scopes enforce.
 */
async function routeTable(app: FastifyInstance, { endpoints }: { endpoints: EndpointRegistry }): Promise<void> {
  const rows: RouteRow[] = [];
  const options = new Map<RouteRow, RouteOptions>();
  const sources: Array<() => readonly RouteRow[]> = [];
  app.decorate('routeTable', {
    getter: () => (sources.length ? [...rows, ...sources.flatMap((source) => source())] : rows),
  });
  app.decorate('addRouteRows', (source: () => readonly RouteRow[]) => {
    sources.push(source);
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { access?: RouteAccess; endpoint?: string; extension?: string };
    for (const method of methods) {
      const row: RouteRow = { method: String(method), url: route.url, access: undefined, endpoint: config.endpoint, extension: config.extension };
      rows.push(row);
      options.set(row, route);
    }
    // A scope's '/' route is announced once, as the bare prefix (`/spc/devices`), although it also
    // answers with the slash: links use the slash form, as the area's other pages are below it.
    const url = route.prefix && route.url === route.prefix ? `${route.url}/` : route.url;
    if (config.endpoint && route.method !== 'HEAD') registerEndpoint(endpoints, config.endpoint, url);
  });
  // Scope defaults (routeDefaults) fill `config.access` in their own onRoute hooks, which run after
  // this one: read the final value once everything is registered.
  app.addHook('onReady', async () => {
    for (const [row, route] of options) {
      const config = (route.config ?? {}) as { access?: RouteAccess; extension?: string };
      row.access = config.access;
      row.extension = config.extension;
    }
    options.clear();
    const missing = rows.filter((r) => r.access === undefined);
    if (missing.length) {
      throw new Error(
        `Routes without an access rule: ${missing.map((r) => `${r.method} ${r.url}`).join(', ')}. ` +
          'Give each route config.access (public, user or admin) or register it in a scope with routeDefaults.',
      );
    }
  });
}

/** One name may serve several methods of one path (GET and POST of a form); never two paths. */
function registerEndpoint(endpoints: EndpointRegistry, name: string, url: string): void {
  const existing = endpoints.template(name);
  if (existing === url) return;
  endpoints.registerEndpoint(name, url);
}

export default fp(routeTable, { name: 'route-table', fastify: '5.x' });

/**
 * Gives every route registered in this scope (after this call) a default `config.access` — for
 * routes a third-party plugin adds, such as @fastify/static's. Explicit route config wins.
 */
export function routeDefaults(scope: FastifyInstance, defaults: { access: RouteAccess; extension?: string }): void {
  scope.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as Record<string, unknown>;
    route.config = {
      ...config,
      access: (config.access as RouteAccess | undefined) ?? defaults.access,
      ...(defaults.extension && { extension: defaults.extension }),
    } as RouteOptions['config'];
  });
}
