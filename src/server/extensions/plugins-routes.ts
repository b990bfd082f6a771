import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import { canDeactivate, type Devstatus } from '../../extensions/index.js';
import { flash } from '../flash.js';
import { requireAdmin } from '../plugins/guards.js';
import { iconUrl, indexUrl } from './contributions.js';

const GROUPS: Array<{ devstatus: Devstatus; title: string }> = [
  { devstatus: 'prod', title: 'Plugins in production' },
  { devstatus: 'beta', title: 'Plugins in beta' },
  { devstatus: 'alpha', title: 'Plugins in alpha' },
];

/**
 * `/spc/plugins/…`: "Choose plugins" (cards grouped by devstatus, activate/deactivate per user),
 * and the admin's overview of every extension with its status and a "re-enable" action for
 * extensions switched off after repeated errors.
 */
export function registerPluginRoutes(app: FastifyInstance, specter: Specter): void {
  const base = `${specter.config.SPECTER_URL_PREFIX}/plugins`;
  const { endpoints } = specter;
  endpoints.registerEndpoint('plugins_endpoint.choose', `${base}/choose`);
  endpoints.registerEndpoint('plugins_endpoint.activate', `${base}/:extId/activate`);
  endpoints.registerEndpoint('plugins_endpoint.deactivate', `${base}/:extId/deactivate`);
  endpoints.registerEndpoint('plugins_endpoint.reenable', `${base}/:extId/reenable`);
  const manager = specter.extensionManager;

  app.get(`${base}`, async (_req, reply) => reply.redirect(`${base}/choose`));
  app.get(`${base}/`, async (_req, reply) => reply.redirect(`${base}/choose`));
  app.get(`${base}/choose`, async (request, reply) => {
    const user = request.user!;
    const cards = manager.extensions.map((ext) => ({
      id: ext.id,
      name: ext.manifest.name,
      desc: ext.manifest.desc,
      devstatus: ext.manifest.devstatus,
      icon: iconUrl(specter, ext),
      url: indexUrl(specter, ext),
      active: user.hasService(ext.id),
      mandatory: !canDeactivate({ id: ext.id, optionality: ext.manifest.optionality }),
      encrypt_data: ext.manifest.encryptData,
      isolated: ext.manifest.isolatedClient,
      tripped: manager.health.tripInfo(ext.id) ?? null,
    }));
    const groups = GROUPS.map((g) => ({ ...g, cards: cards.filter((c) => c.devstatus === g.devstatus) })).filter((g) => g.cards.length);
    const statuses = user.isAdmin ? manager.statuses().filter((s) => s.status !== 'loaded' || s.tripped) : [];
    return reply.render('plugins/choose.njk', { groups, statuses, needs_password: specter.authMethod === 'none' });
  });

  const toggle = (active: boolean) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { extId } = request.params as { extId: string };
    const ext = manager.get(extId);
    if (!ext) throw new SpecterError('EXT_NOT_FOUND', `No loaded plugin "${extId}".`);
    await specter.services.activation.setActive(request.user!, extId, active);
    await flash(request, active ? `"${ext.manifest.name}" is now active.` : `"${ext.manifest.name}" was deactivated; its data is kept.`, 'success');
    return reply.redirect(`${base}/choose`);
  };
  app.post(`${base}/:extId/activate`, toggle(true));
  app.post(`${base}/:extId/deactivate`, toggle(false));
  app.post(`${base}/:extId/reenable`, async (request, reply) => {
    requireAdmin(request);
    const { extId } = request.params as { extId: string };
    manager.reenable(extId);
    await flash(request, `"${manager.get(extId)?.manifest.name ?? extId}" was switched back on.`, 'success');
    return reply.redirect(`${base}/choose`);
  });
}
