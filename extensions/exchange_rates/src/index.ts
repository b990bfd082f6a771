import { Extension, type PriceProvider } from 'specter-ts';
import { SOURCES, type Source } from './sources.js';

/** Longest one answer may take; the core's own limit (PRICE_FETCH_TIMEOUT) aborts earlier when lower. */
const TIMEOUT_MS = 10_000;

/**
 * Exchange rates: the built-in fiat price sources. It only offers providers (the
 * `price_providers` callback); the core decides which one runs, when, and whether the number it
 * returns is believable. Each request goes through this plugin's ctx.http, so only the hosts in
 * its manifest are reachable, and through Tor when the admin set "only Tor".
 */
export default class ExchangeRatesExtension extends Extension {
  override callback_price_providers(): PriceProvider[] {
    return SOURCES.map((source) => ({
      id: source.id,
      name: source.name,
      currencies: [...source.currencies],
      fetch: (currency: string, signal: AbortSignal) => this.fetchPrice(source, currency, signal),
    }));
  }

  private async fetchPrice(source: Source, currency: string, signal: AbortSignal): Promise<number> {
    const res = await this.ctx.http.request(source.url(currency), { headers: { accept: 'application/json' }, timeoutMs: TIMEOUT_MS, signal });
    if (!res.ok) throw new Error(`${source.name} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new Error(`${source.name} answered something that is not JSON`);
    }
    return source.parse(body, currency);
  }
}
