import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../../specter/index.js';
import type { AreaOptions } from '../index.js';

/** The welcome view model, adjustable by extensions' `adjust_view_model` middleware callbacks. */
export class WelcomeVm {
  about_redirect: string | null = null;
  get_started_include = 'welcome/components/get_started.njk';
  tick_checkboxes_include = 'welcome/components/tick_checkboxes.njk';
  remaining_remarks_include = 'welcome/components/remaining_remarks.njk';
}

/** Lets `adjust_view_model` middleware callbacks change the view model; a redirect wins. */
async function adjustedWelcomeVm(specter: Specter): Promise<WelcomeVm> {
  return specter.extensionManager.callbacks.middleware<WelcomeVm>('adjust_view_model', new WelcomeVm());
}

/** `/spc/welcome/`: the landing page and About. */
export default async function welcomeArea(app: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  app.get('/', { config: { access: 'user', endpoint: 'welcome_endpoint.index' } }, async (_request, reply) => {
    const vm = await adjustedWelcomeVm(specter);
    return vm.about_redirect ? reply.redirect(vm.about_redirect) : reply.render('welcome/index.njk', { vm });
  });
  app.get('/about', { config: { access: 'user', endpoint: 'welcome_endpoint.about' } }, async (_request, reply) => {
    const vm = await adjustedWelcomeVm(specter);
    return vm.about_redirect ? reply.redirect(vm.about_redirect) : reply.render('welcome/about.njk', { vm });
  });
}
