import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import type { Specter } from '../../specter/index.js';
import { isSpecterError, SpecterError } from '../../errors/index.js';
import type { EndpointRegistry, UrlParams } from '../../extensions/index.js';
import { requestContext, type RequestContext } from '../../managers/users/index.js';
import { takeFlashes } from '../flash.js';
import { pageBytes } from '../views.js';

/** Plugin failures (callbacks, page hooks) during one request, for the page's notice. */
const failuresByRequest = new WeakMap<RequestContext, Array<{ ext: string; where: string; timeout: boolean }>>();

/**
 * Adds to the context of every rendered page. The extension layer contributes the sidebar's
 * plugin entries and base-page injections this way; core contributes the rest.
 */
export type ViewContributor = (
  request: FastifyRequest,
  context: Record<string, unknown>,
  pageContext: Readonly<Record<string, unknown>>,
) => void | Promise<void>;

export interface RenderingOptions {
  specter: Specter;
  views: nunjucks.Environment;
  endpoints: EndpointRegistry;
  contributors?: ViewContributor[];
}

declare module 'fastify' {
  interface FastifyInstance {
    views: nunjucks.Environment;
    endpoints: EndpointRegistry;
    viewContributors: ViewContributor[];
  }
}

async function rendering(app: FastifyInstance, options: RenderingOptions): Promise<void> {
  const { specter, views, endpoints } = options;
  app.decorate('views', views);
  app.decorate('endpoints', endpoints);
  app.decorate('viewContributors', options.contributors ?? []);
  views.addGlobal('url_for', (endpoint: string, params?: UrlParams) => endpoints.urlFor(endpoint, params));
  // A callback or page hook that failed or timed out while this request ran: the page says which
  // plugin it was (the log and the circuit breaker already know).
  const unsubscribe = specter.extensionManager.health.onFailure((ext, where, error) => {
    const ctx = requestContext.getStore();
    if (!ctx || where.startsWith('route:')) return;
    const list = failuresByRequest.get(ctx) ?? [];
    if (list.length < 10) list.push({ ext, where, timeout: isSpecterError(error, 'TIMEOUT') });
    failuresByRequest.set(ctx, list);
  });
  app.addHook('onClose', async () => unsubscribe());

  app.decorateReply('render', async function render(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const base = await baseContext(request, this, specter);
    for (const contribute of app.viewContributors) await contribute(request, base, context);
    // One string per slot: a template loop over many injections costs more than the HTML itself.
    const inject = base.inject as Record<string, string[]>;
    base.inject_html = Object.fromEntries(Object.entries(inject).map(([slot, parts]) => [slot, new nunjucks.runtime.SafeString(parts.join(''))]));
    const html = await new Promise<string>((resolve, reject) => {
      views.render(template, { ...base, ...context }, (err, out) => (err ? reject(missingTemplate(request, err)) : resolve(out ?? '')));
    });
    // As bytes: a string body is measured (flattened) for Content-Length and then joined to the
    // header block and flattened again to be written, two copies of the page per request in the
    // young generation (a History page of 30 KB was the largest share of what its views allocated).
    // Parts kept as bytes (HtmlBytes) go in as they are.
    return this.type('text/html; charset=utf-8').send(pageBytes(html, context));
  });
}

export default fp(rendering, { name: 'rendering', fastify: '5.x', dependencies: ['request-context'] });

/** A plugin's page asking for a template that is not there is the plugin's failure, named as such. */
function missingTemplate(request: FastifyRequest, err: Error): Error {
  const name = /template not found: ([^\s)]+)/.exec(err.message)?.[1];
  if (!name || !request.extension) return err;
  return new SpecterError('EXT_TEMPLATE_MISSING', `its template "${name}" does not exist.`, {
    hint: 'Fix the template name in the plugin, or install a complete package.',
    details: { ext: request.extension.id, template: name },
    cause: err,
  });
}

function pluginNotices(specter: Specter): string[] {
  const ctx = requestContext.getStore();
  const list = ctx ? failuresByRequest.get(ctx) : undefined;
  if (!list) return [];
  return list.map(({ ext, where, timeout }) => {
    const name = specter.extensionManager.get(ext)?.manifest.name ?? ext;
    return `The plugin "${name}" ${timeout ? 'did not answer in time' : 'failed'} (${where}); this page is shown without it.`;
  });
}

async function baseContext(request: FastifyRequest, reply: FastifyReply, specter: Specter): Promise<Record<string, unknown>> {
  const user = request.user;
  // Only the /spc scope has sessions (its cookie lives at Path=/spc). Pages elsewhere (isolated
  // extensions under /ext/, the root 404) must not touch one: a Set-Cookie from them would replace
  // the user's session.
  const inSession = request.session !== undefined && typeof reply.generateCsrf === 'function';
  // The token is bound to the session secret; creating it here puts the secret in the session
  // cookie, so the very first form (login) already works.
  const csrfToken = inSession ? await reply.generateCsrf() : '';
  return {
    specter: {
      version: specter.version,
      auth_method: specter.authMethod,
      config: specter.configManager.values,
      debug: Boolean(specter.config.DEBUG),
    },
    // The fiat price from memory (never fetched for a page): the top bar and the `fiat` filter read it.
    price: specter.prices.view(),
    current_user: user ? { id: user.id, username: user.username, is_admin: user.isAdmin, services: user.services } : null,
    user_secret_unlocked: user ? specter.userManager.secretOf(user.id) !== undefined : false,
    csrf_token: csrfToken,
    flashes: inSession ? takeFlashes(request) : [],
    plugin_notices: pluginNotices(specter),
    request_path: request.url.split('?')[0],
    specter_url_prefix: specter.config.SPECTER_URL_PREFIX,
    ext_url_prefix: specter.config.EXT_URL_PREFIX,
    sidebar: { wallets: [], devices: [], plugins: [] },
    inject: { head: [], body_top: [], body_bottom: [] },
  };
}
