/**
 * The Tor JSON API, inside the `/api/v1` scope:
 *
 *   GET /api/v1/tor   (admin) → {type, only_tor, running, proxy_reachable, proxy_url, control_port, version,
 *                               bootstrap, pid, hidden_service, onion_address, problem, hint}
 *
 * `running` is the seed's is_tor_dameon_running; `problem`/`hint` say what is wrong. No password,
 * cookie or key is ever part of the answer.
 */
import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';

export function registerTorApi(api: FastifyInstance, specter: Specter): void {
  api.get('/tor', { config: { access: 'admin', endpoint: 'api_tor.status' } }, async () => specter.tor.status());
}
