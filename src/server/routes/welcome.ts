import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './index.js';

/** The welcome view model, adjustable by extensions' `adjust_view_model` middleware callbacks. */
export class WelcomeVm {
  about_redirect: string | null = null;
  get_started_include = 'welcome/components/get_started.njk';
  tick_checkboxes_include = 'welcome/components/tick_checkboxes.njk';
  remaining_remarks_include = 'welcome/components/remaining_remarks.njk';
}

export function registerWelcomeRoutes(app: FastifyInstance, { endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/welcome`;
  endpoints.register('welcome_endpoint.index', `${base}/`);
  endpoints.register('welcome_endpoint.about', `${base}/about`);
  app.get(`${base}`, async (_req, reply) => reply.redirect(`${base}/`));
  app.get(`${base}/`, async (_req, reply) => reply.render('welcome/index.njk', { vm: new WelcomeVm() }));
  app.get(`${base}/about`, async (_req, reply) => reply.render('welcome/about.njk', { vm: new WelcomeVm() }));
}
