import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';

/** `GET /api/v1/extensions`: every discovered extension with its status and reason. */
export function registerExtensionApi(api: FastifyInstance, specter: Specter): void {
  api.get('/extensions', async (request) => ({
    extensions: specter.extensionManager.statuses().map((s) => ({
      id: s.id,
      name: s.name,
      version: s.version,
      source: s.source,
      devstatus: s.devstatus,
      status: s.status,
      reason: s.reason,
      tripped: s.tripped,
      errorCount: s.errorCount,
      signer: s.signer,
      activeForUser: s.id ? specter.services.activation.isActiveFor(request.user, s.id) : false,
    })),
  }));
}
