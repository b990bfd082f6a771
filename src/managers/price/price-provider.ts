import { z } from 'zod';

/**
 * A source of the fiat price of bitcoin, as a plugin hands it to the core through the
 * `price_providers` callback. `fetch` resolves to the price of 1 BTC in `currency` (fiat units, not
 * cents); it runs with the plugin's own `ctx.http`, so the plugin's `network:<host>` capabilities
 * (and the Tor setting) decide where it may go. The core calls it on its schedule only, bounded by
 * a timeout (then `signal` aborts), and checks the number before using it.
 */
export interface PriceProvider {
  /** Unique across plugins, e.g. `"kraken"`; what config.json's `price_provider` names. */
  id: string;
  /** Shown in Settings → Price and in logs, e.g. `"Kraken"`. */
  name: string;
  /** ISO 4217 codes it can price, upper case, e.g. `["USD", "EUR"]`. */
  currencies: string[];
  /** The price of 1 BTC in `currency`; stop when `signal` aborts (the core's timeout, or the app stopping). */
  fetch(currency: string, signal: AbortSignal): Promise<number>;
}

/** What the core accepts from a plugin as a provider (a plugin is third-party code). */
export const priceProviderSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-"'),
  name: z.string().min(1).max(80),
  currencies: z.array(z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code')).min(1),
  fetch: z.custom<PriceProvider['fetch']>((v) => typeof v === 'function', 'a function'),
});

/** A price a provider answered: a finite number above zero (the core refuses anything else). */
export const btcPriceSchema = z.number().finite().positive();
