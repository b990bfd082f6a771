import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import { routePath } from '../plugins/guards.js';

/**
 * The per-user request gate (the Fastify maintainers' advice over unmounting routes): an
 * extension route answers 404 unless the extension is loaded, not switched off by its error
 * count, and — for `/spc/ext/<id>/…` — active for the logged-in user. Static files of a loaded
 * extension stay reachable (the "Choose plugins" cards show icons of inactive extensions).
 */
export function registerExtensionGate(app: FastifyInstance, specter: Specter): void {
  const extPrefix = `${String(specter.config.EXT_URL_PREFIX).replace(/\/+$/, '')}/`;
  const isolatedPrefix = `${String(specter.config.ISOLATED_CLIENT_EXT_URL_PREFIX).replace(/\/+$/, '')}/`;
  const notFound = (id: string) => new SpecterError('EXT_NOT_FOUND', `The plugin "${id}" is not available.`, { hint: 'Activate it in "Choose plugins".' });

  app.addHook('onRequest', async (request) => {
    // The matched route, not the raw URL: `/spc/ext/%6eotes/` must be gated like `/spc/ext/notes/`.
    const url = routePath(request);
    const isolated = url.startsWith(isolatedPrefix);
    if (!isolated && !url.startsWith(extPrefix)) return;
    const rest = url.slice((isolated ? isolatedPrefix : extPrefix).length);
    const id = rest.split(/[/?]/, 1)[0] ?? '';
    const ext = specter.extensionManager.get(id);
    if (!ext || !specter.extensionManager.isActive(id) || ext.manifest.isolatedClient !== isolated) throw notFound(id);
    if (isolated) return;
    if (rest.slice(id.length).startsWith('/static/')) return;
    // Unauthenticated requests were already sent to the login page by the login guard.
    if (request.user && !specter.services.activation.isActiveFor(request.user, id)) throw notFound(id);
  });
}
