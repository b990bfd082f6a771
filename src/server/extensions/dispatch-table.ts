/**
 * The routes of every loaded extension blueprint, as one router (find-my-way, Fastify's own) that
 * is rebuilt whenever an extension is loaded or unloaded. Fastify cannot add or remove routes once
 * it is ready, so the app has one Fastify route per prefix (mount.ts) that looks the request up
 * here. A table is never changed after it is built: a rebuild makes a new one and swaps it in, so
 * a request always sees one consistent generation.
 */
import FindMyWay from 'find-my-way';
import AjvCompiler from '@fastify/ajv-compiler';
import type { preHandlerHookHandler } from 'fastify';
import type { Blueprint, BlueprintRoute, Extension, ExtensionManager } from '../../extensions/index.js';
import type { Logger } from '../../log/index.js';
import type { RouteRow } from '../plugins/route-table.js';
import type { RouteAccess } from '../types.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

export interface DispatchTarget {
  ext: Extension;
  bp: Blueprint;
  /** Undefined for the blueprint's static files. */
  route: BlueprintRoute | undefined;
  /** Who may call it: isolated blueprints and `login: false` routes are public. */
  access: RouteAccess;
  /** False when the route opted out of the CSRF check (`csrf: false`). */
  csrf: boolean;
  preHandlers: preHandlerHookHandler[];
  /** Compiled from the route's `schema` (Fastify's default JSON-schema validator, Fastify's ajv options). */
  validators: ReadonlyArray<readonly [HttpPart, Validate]>;
  isolated: boolean;
}

export interface DispatchMatch {
  target: DispatchTarget;
  params: Record<string, string | undefined>;
}

const SCHEMA_PARTS: ReadonlyArray<readonly [HttpPart, string[]]> = [
  ['params', ['params']],
  ['querystring', ['querystring', 'query']],
  ['headers', ['headers']],
  ['body', ['body']],
];

function toPreHandlers(value: unknown): preHandlerHookHandler[] {
  if (typeof value === 'function') return [value as preHandlerHookHandler];
  if (Array.isArray(value)) return value.filter((v): v is preHandlerHookHandler => typeof v === 'function');
  return [];
}

export class DispatchTable {
  readonly #router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false });
  readonly #rows: RouteRow[] = [];
  /** One validator compiler per table: its ajv instance (and what it compiled) goes with the table. */
  #compile: ReturnType<ReturnType<typeof AjvCompiler>> | undefined;

  /** The current blueprints of `manager`; a route that cannot be added is logged and left out. */
  static build(manager: ExtensionManager, logger: Logger): DispatchTable {
    const table = new DispatchTable();
    for (const ext of manager.extensions) {
      for (const bp of manager.blueprintsOf(ext.id)) table.#addBlueprint(ext, bp, logger);
    }
    return table;
  }

  /** Looks a request up: `path` is the URL path as received (find-my-way decodes it). */
  match(method: string, path: string): DispatchMatch | undefined {
    const found = this.#router.find(method as FindMyWay.HTTPMethod, path);
    if (!found) return undefined;
    return { target: found.store as DispatchTarget, params: found.params };
  }

  /** The table's routes for the app's route table (the route-walk test reads them). */
  rows(): readonly RouteRow[] {
    return this.#rows;
  }

  #addBlueprint(ext: Extension, bp: Blueprint, logger: Logger): void {
    const isolated = ext.manifest.isolatedClient;
    const base = { ext, bp, isolated };
    if (bp.staticFolder) {
      const target: DispatchTarget = { ...base, route: undefined, access: isolated ? 'public' : 'user', csrf: true, preHandlers: [], validators: [] };
      this.#on(['GET', 'HEAD'], `${bp.urlPrefix}/static/*`, target, undefined, logger);
    }
    for (const route of bp.routes) {
      const { login, csrf, preHandler, schema } = route.options;
      let validators: Array<readonly [HttpPart, Validate]> = [];
      try {
        validators = this.#validators(schema, route);
      } catch (err) {
        logger.error(
          { ext: ext.id, err },
          `extension "${ext.id}": the schema of ${route.method} ${route.path} does not compile; the route is left out`,
        );
        continue;
      }
      const target: DispatchTarget = {
        ...base,
        route,
        access: isolated || login === false ? 'public' : 'user',
        csrf: csrf !== false,
        preHandlers: toPreHandlers(preHandler),
        validators,
      };
      // Fastify answers a scope's '/' route with and without the slash; so does the table.
      const paths = route.url === '/' ? [route.path, bp.urlPrefix] : [route.path];
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const p of paths) this.#on(methods, p, target, route.endpoint, logger);
    }
  }

  #on(methods: string[], path: string, target: DispatchTarget, endpoint: string | undefined, logger: Logger): void {
    for (const method of methods) {
      try {
        this.#router.on(method as FindMyWay.HTTPMethod, path, () => undefined, target);
      } catch (err) {
        logger.error({ ext: target.ext.id, err }, `extension "${target.ext.id}": ${method} ${path} cannot be added (${(err as Error).message})`);
        continue;
      }
      this.#rows.push({ method, url: path, access: target.access, endpoint, extension: target.ext.id });
    }
  }

  #validators(schema: unknown, route: BlueprintRoute): Array<readonly [HttpPart, Validate]> {
    if (!schema || typeof schema !== 'object') return [];
    const out: Array<readonly [HttpPart, Validate]> = [];
    for (const [part, keys] of SCHEMA_PARTS) {
      const key = keys.find((k) => (schema as Record<string, unknown>)[k] !== undefined);
      if (!key) continue;
      this.#compile ??= AjvCompiler()({}, { customOptions: {} });
      const validate = this.#compile({
        schema: (schema as Record<string, unknown>)[key] as object,
        method: route.method,
        url: route.path,
        httpPart: part,
      });
      out.push([part, validate as Validate]);
    }
    return out;
  }
}
