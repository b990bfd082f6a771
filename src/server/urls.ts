import { SpecterError } from '../errors/index.js';

/**
 * Named endpoints and `url_for`, the Flask idiom Specter's templates are written in. Core areas
 * register as `<area>_endpoint.<name>`, extensions as `<id>_endpoint.<name>`.
 */
export class EndpointRegistry {
  private readonly paths = new Map<string, string>();

  register(endpoint: string, urlPath: string): void {
    this.paths.set(endpoint, urlPath);
  }

  has(endpoint: string): boolean {
    return this.paths.has(endpoint);
  }

  /** Fills `:param` segments from params; the other params become the query string. */
  urlFor(endpoint: string, params: Record<string, unknown> = {}): string {
    const template = this.paths.get(endpoint);
    if (template === undefined) {
      throw new SpecterError('NOT_FOUND', `url_for: unknown endpoint "${endpoint}".`, { hint: 'Check the endpoint name (e.g. "welcome_endpoint.index").' });
    }
    const rest = new URLSearchParams();
    const used = new Set<string>();
    let url = template.replace(/:(\w+)|\*/g, (match, name: string | undefined) => {
      const key = name ?? 'filename';
      used.add(key);
      const value = params[key];
      if (value === undefined) throw new SpecterError('BAD_REQUEST', `url_for("${endpoint}") needs parameter "${key}".`);
      return name ? encodeURIComponent(String(value)) : String(value).split('/').map(encodeURIComponent).join('/');
    });
    for (const [key, value] of Object.entries(params)) {
      if (!used.has(key) && value !== undefined && value !== null) rest.append(key, String(value));
    }
    const query = rest.toString();
    if (query) url += `?${query}`;
    return url;
  }
}
