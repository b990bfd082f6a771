import { SpecterError } from '../errors/index.js';

/**
 * Endpoint names → URL templates, and `urlFor` (Flask's `url_for`). Used for core endpoints
 * (`registerEndpoint('wallets_endpoint.wallets_overview', '/spc/wallets/wallets_overview/')`) and
 * for every extension route, so templates link by name and never hard-code a prefix.
 *
 * Template syntax: `:name` is one path segment (URL-encoded); `:name*` may span several segments
 * (each encoded, slashes kept), for static files; a bare `*` (Fastify's wildcard) is `:filename*`,
 * so a Fastify route path can be registered as is. Params that match a path param are substituted;
 * the rest become the query string; `_anchor` becomes `#fragment`.
 */
export type UrlParams = Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>>;

interface Compiled {
  name: string;
  template: string;
  /** Literal parts and params, alternating: [lit, param, lit, param, lit]. */
  parts: string[];
  params: Array<{ name: string; wildcard: boolean }>;
}

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)(\*?)|\*/g;

function compile(name: string, template: string): Compiled {
  const parts: string[] = [];
  const params: Compiled['params'] = [];
  let last = 0;
  for (const m of template.matchAll(PARAM)) {
    parts.push(template.slice(last, m.index));
    params.push(m[0] === '*' ? { name: 'filename', wildcard: true } : { name: m[1]!, wildcard: m[2] === '*' });
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return { name, template, parts, params };
}

function encodeParam(value: unknown, wildcard: boolean): string {
  const s = String(value);
  return wildcard ? s.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(s);
}

export class EndpointRegistry {
  readonly #endpoints = new Map<string, Compiled>();

  /** Registers `name` (e.g. `swan_endpoint.index`) for a path template. A second registration is an error. */
  registerEndpoint(name: string, pathTemplate: string): void {
    if (!name || /\s/.test(name)) {
      throw new SpecterError('EXT_ENDPOINT_CONFLICT', `Endpoint name "${name}" is not valid.`, {
        hint: 'Use "<blueprint>.<function>", e.g. "swan_endpoint.index".',
      });
    }
    if (!pathTemplate.startsWith('/')) {
      throw new SpecterError('EXT_ENDPOINT_CONFLICT', `Endpoint "${name}": path "${pathTemplate}" must start with "/".`, {
        hint: 'Register the full path, prefix included.',
      });
    }
    const existing = this.#endpoints.get(name);
    if (existing) {
      throw new SpecterError(
        'EXT_ENDPOINT_CONFLICT',
        `Endpoint "${name}" is already registered for ${existing.template}; cannot register it for ${pathTemplate}.`,
        {
          hint: 'Give the route another endpoint name.',
          details: { name, existing: existing.template, path: pathTemplate },
        },
      );
    }
    this.#endpoints.set(name, compile(name, pathTemplate));
  }

  /** Removes an endpoint (when an extension fails to load after its routes were registered). */
  unregister(name: string): boolean {
    return this.#endpoints.delete(name);
  }

  has(name: string): boolean {
    return this.#endpoints.has(name);
  }

  /** The path template of an endpoint, or undefined. */
  template(name: string): string | undefined {
    return this.#endpoints.get(name)?.template;
  }

  list(): Array<{ name: string; path: string }> {
    return [...this.#endpoints.values()].map((e) => ({ name: e.name, path: e.template }));
  }

  /** Builds the URL of an endpoint. Unknown endpoint or missing path param → EXT_ENDPOINT_UNKNOWN. */
  urlFor(name: string, params: UrlParams = {}): string {
    const ep = this.#endpoints.get(name);
    if (!ep) {
      throw new SpecterError('EXT_ENDPOINT_UNKNOWN', `Could not build url for endpoint "${name}": no such endpoint.`, {
        hint: 'Check the name ("<id>_endpoint.<function>") and that the extension is loaded.',
        details: { name },
      });
    }
    let url = ep.parts[0]!;
    for (let i = 0; i < ep.params.length; i++) {
      const p = ep.params[i]!;
      const value = params[p.name];
      if (value === undefined || value === null || value === '') {
        throw new SpecterError(
          'EXT_ENDPOINT_UNKNOWN',
          `Could not build url for endpoint "${name}": missing value for "${p.name}" (${ep.template}).`,
          {
            hint: `Pass {${p.name}: …}.`,
            details: { name, param: p.name },
          },
        );
      }
      url += encodeParam(value, p.wildcard) + ep.parts[i + 1]!;
    }
    // Made only when a param is left for the query: most links have none, and pages build dozens.
    let query: URLSearchParams | undefined;
    let anchor = '';
    for (const [key, value] of Object.entries(params)) {
      // Every path param was filled in above (or threw): the rest go to the query.
      if (value === undefined || value === null || ep.params.some((p) => p.name === key)) continue;
      if (key === '_anchor') {
        anchor = `#${encodeURIComponent(String(value))}`;
        continue;
      }
      query ??= new URLSearchParams();
      if (Array.isArray(value)) for (const v of value) query.append(key, String(v));
      else query.append(key, String(value));
    }
    const qs = query?.toString() ?? '';
    return url + (qs ? `?${qs}` : '') + anchor;
  }
}
