/**
 * The exchanges this plugin asks, each as a URL for a currency and a parser of its answer (a zod
 * schema of the real payload, so an error page or a changed API is refused with what was wrong).
 * No network here: index.ts sends the requests through the plugin's ctx.http.
 */
import { z } from 'zod';

export interface Source {
  id: string;
  name: string;
  currencies: string[];
  url(currency: string): string;
  /** The price of 1 BTC in `currency` from the parsed JSON answer; throws a readable Error otherwise. */
  parse(body: unknown, currency: string): number;
}

/** A price as exchanges write it: a JSON number or a decimal string. */
const decimal = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'a decimal number')
    .transform(Number),
]);

function fail(source: string, error: z.ZodError): never {
  const issue = error.issues[0];
  throw new Error(`${source} answered an unexpected shape ("${issue?.path.join('.')}": ${issue?.message})`);
}

/** https://www.bitstamp.net/api/v2/ticker/btcusd/ → {"last": "43210", …} */
const bitstampSchema = z.object({ last: decimal });

export const bitstamp: Source = {
  id: 'bitstamp',
  name: 'Bitstamp',
  currencies: ['USD', 'EUR', 'GBP'],
  url: (currency) => `https://www.bitstamp.net/api/v2/ticker/btc${currency.toLowerCase()}/`,
  parse(body) {
    const parsed = bitstampSchema.safeParse(body);
    if (!parsed.success) fail('Bitstamp', parsed.error);
    return parsed.data.last;
  },
};

/** https://api.kraken.com/0/public/Ticker?pair=XBTUSD → {"error": [], "result": {"XXBTZUSD": {"c": ["43210.1", "0.01"], …}}} */
const krakenSchema = z.object({
  error: z.array(z.string()),
  result: z.record(z.string(), z.object({ c: z.tuple([decimal, z.string()]) })).optional(),
});

export const kraken: Source = {
  id: 'kraken',
  name: 'Kraken',
  currencies: ['USD', 'EUR', 'GBP', 'CAD', 'CHF', 'JPY', 'AUD'],
  url: (currency) => `https://api.kraken.com/0/public/Ticker?pair=XBT${currency}`,
  parse(body) {
    const parsed = krakenSchema.safeParse(body);
    if (!parsed.success) fail('Kraken', parsed.error);
    if (parsed.data.error.length) throw new Error(`Kraken answered an error: ${parsed.data.error.join('; ')}`);
    // One pair was asked for; Kraken names it its own way (XXBTZUSD, XBTCHF).
    const pairs = Object.values(parsed.data.result ?? {});
    if (pairs.length !== 1) throw new Error(`Kraken answered ${pairs.length} pairs instead of one`);
    return pairs[0]!.c[0];
  },
};

/** https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd → {"bitcoin": {"usd": 43210}} */
const coingeckoSchema = z.object({ bitcoin: z.record(z.string(), z.number()) });

export const coingecko: Source = {
  id: 'coingecko',
  name: 'CoinGecko',
  // Also every currency Specter Desktop offered through Coindesk (XAU/XAG: gold and silver per troy ounce).
  currencies: [
    'USD',
    'EUR',
    'GBP',
    'CAD',
    'CHF',
    'JPY',
    'AUD',
    'NZD',
    'HKD',
    'BRL',
    'INR',
    'CNY',
    'KRW',
    'SEK',
    'NOK',
    'PLN',
    'CZK',
    'RUB',
    'ILS',
    'TWD',
    'XAU',
    'XAG',
  ],
  url: (currency) => `https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=${currency.toLowerCase()}`,
  parse(body, currency) {
    const parsed = coingeckoSchema.safeParse(body);
    if (!parsed.success) fail('CoinGecko', parsed.error);
    const price = parsed.data.bitcoin[currency.toLowerCase()];
    if (price === undefined) throw new Error(`CoinGecko answered no ${currency} price`);
    return price;
  },
};

/** https://mempool.space/api/v1/prices → {"time": 1703252411, "USD": 43753, "EUR": 40545, …} */
const mempoolSchema = z.looseObject({ time: z.number() }).and(z.record(z.string(), z.number()));

export const mempool: Source = {
  id: 'mempool',
  name: 'mempool.space',
  currencies: ['USD', 'EUR', 'GBP', 'CAD', 'CHF', 'AUD', 'JPY'],
  url: () => 'https://mempool.space/api/v1/prices',
  parse(body, currency) {
    const parsed = mempoolSchema.safeParse(body);
    if (!parsed.success) fail('mempool.space', parsed.error);
    const price = parsed.data[currency];
    if (price === undefined) throw new Error(`mempool.space answered no ${currency} price`);
    return price;
  },
};

export const SOURCES: readonly Source[] = [bitstamp, kraken, coingecko, mempool];
