import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './index.js';

/** The welcome view model, adjustable by extensions' `adjust_view_model` middleware callbacks. */
export class WelcomeVm {
  about_redirect: string | null = null;
  get_started_include = 'welcome/components/get_started.njk';
  tick_checkboxes_include = 'welcome/components/tick_checkboxes.njk';
  remaining_remarks_include = 'welcome/components/remaining_remarks.njk';
}

/** Lets `adjust_view_model` middleware callbacks change the view model; a redirect wins. */
async function adjustedWelcomeVm(deps: RouteDeps): Promise<WelcomeVm> {
  return deps.specter.extensionManager.callbacks.middleware<WelcomeVm>('adjust_view_model', new WelcomeVm());
}

export function registerWelcomeRoutes(app: FastifyInstance, deps: RouteDeps, prefix: string): void {
  const { endpoints } = deps;
  const base = `${prefix}/welcome`;
  endpoints.registerEndpoint('welcome_endpoint.index', `${base}/`);
  endpoints.registerEndpoint('welcome_endpoint.about', `${base}/about`);
  app.get(`${base}`, async (_req, reply) => reply.redirect(`${base}/`));
  app.get(`${base}/`, async (_req, reply) => {
    const vm = await adjustedWelcomeVm(deps);
    return vm.about_redirect ? reply.redirect(vm.about_redirect) : reply.render('welcome/index.njk', { vm });
  });
  app.get(`${base}/about`, async (_req, reply) => {
    const vm = await adjustedWelcomeVm(deps);
    return vm.about_redirect ? reply.redirect(vm.about_redirect) : reply.render('welcome/about.njk', { vm });
  });
}
