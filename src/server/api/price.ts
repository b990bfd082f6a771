/**
 * The price JSON API, inside the `/api/v1` scope:
 *
 *   GET /api/v1/price   (logged-in users) → {enabled, currency, price, source, at, stale,
 *                                            providers: [{id, name, lastOk, lastError}]}
 *
 * From memory and price.json only: asking never makes a provider fetch. `price` is fiat units per
 * 1 BTC (null until a provider answered in this currency), `source` the provider id or `manual`,
 * `lastError` `{at, message}` or null.
 */
import type { FastifyInstance } from 'fastify';
import type { Specter } from '../../specter/index.js';

export function registerPriceApi(api: FastifyInstance, specter: Specter): void {
  api.get('/price', { config: { access: 'user', endpoint: 'api_price.get' } }, async () => {
    const s = await specter.prices.status();
    return {
      enabled: s.enabled,
      currency: s.currency,
      price: s.price,
      source: s.source,
      at: s.at,
      stale: s.stale,
      providers: s.providers.map((p) => ({ id: p.id, name: p.name, lastOk: p.lastOk, lastError: p.lastError })),
    };
  });
}
