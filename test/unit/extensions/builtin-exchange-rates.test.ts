import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { repoRoot } from '../../helpers/files.js';

interface Source {
  id: string;
  name: string;
  currencies: string[];
  url(currency: string): string;
  parse(body: unknown, currency: string): number;
}

// The built-in is its own package (compiled into extensions/exchange_rates/dist by the build).
const { bitstamp, kraken, coingecko, mempool, SOURCES } = (await import(
  pathToFileURL(path.join(repoRoot(), 'extensions', 'exchange_rates', 'dist', 'sources.js')).href
)) as Record<'bitstamp' | 'kraken' | 'coingecko' | 'mempool', Source> & { SOURCES: Source[] };

// Real answers of the public APIs (recorded; no network in tests).
const BITSTAMP_TICKER = {
  timestamp: '1733130000',
  open: '95860',
  high: '98100',
  low: '94500',
  last: '96120',
  volume: '1843.20134805',
  vwap: '96301',
  bid: '96118',
  ask: '96125',
  side: '0',
  open_24: '97010',
  percent_change_24: '-0.92',
};
const KRAKEN_TICKER = {
  error: [],
  result: {
    XXBTZEUR: {
      a: ['91290.00000', '1', '1.000'],
      b: ['91289.90000', '2', '2.000'],
      c: ['91290.10000', '0.00052000'],
      v: ['1021.40930484', '2961.99720219'],
      p: ['91547.89061', '91872.13345'],
      t: [33391, 91262],
      l: ['89500.00000', '89500.00000'],
      h: ['93100.00000', '93900.00000'],
      o: '92010.10000',
    },
  },
};
const KRAKEN_ERROR = { error: ['EQuery:Unknown asset pair'] };
const COINGECKO_SIMPLE = { bitcoin: { gbp: 75712 } };
const COINGECKO_RATE_LIMIT = { status: { error_code: 429, error_message: "You've exceeded the Rate Limit." } };
const MEMPOOL_PRICES = { time: 1733130004, USD: 96110, EUR: 91290, GBP: 75710, CAD: 134980, CHF: 84830, AUD: 148300, JPY: 14420770 };

describe('exchange_rates sources', () => {
  it('offer at least two providers, each for USD, with ids the core accepts', () => {
    assert.ok(SOURCES.length >= 2);
    for (const s of SOURCES) {
      assert.match(s.id, /^[a-z0-9][a-z0-9_.-]*$/);
      assert.ok(s.currencies.includes('USD'), s.id);
      for (const c of s.currencies) assert.match(c, /^[A-Z]{3}$/);
    }
  });

  it('ask only the hosts the manifest declares', async () => {
    const { default: pkg } = (await import(pathToFileURL(path.join(repoRoot(), 'extensions', 'exchange_rates', 'package.json')).href, {
      with: { type: 'json' },
    })) as { default: { specterExtension: { capabilities: string[] } } };
    for (const s of SOURCES) {
      for (const c of s.currencies) {
        const host = new URL(s.url(c)).hostname;
        assert.ok(pkg.specterExtension.capabilities.includes(`network:${host}`), `${s.id} → ${host}`);
      }
    }
  });

  it('Bitstamp: the ticker of the currency pair, "last" as a decimal string', () => {
    assert.equal(bitstamp.url('USD'), 'https://www.bitstamp.net/api/v2/ticker/btcusd/');
    assert.equal(bitstamp.parse(BITSTAMP_TICKER, 'USD'), 96120);
    assert.throws(() => bitstamp.parse({ ...BITSTAMP_TICKER, last: 'n/a' }, 'USD'), /Bitstamp answered an unexpected shape \("last"/);
    assert.throws(() => bitstamp.parse('<html>rate limited</html>', 'USD'), /Bitstamp answered an unexpected shape/);
  });

  it("Kraken: the one pair's last trade (c[0]), whatever Kraken calls the pair; its errors are reported", () => {
    assert.equal(kraken.url('EUR'), 'https://api.kraken.com/0/public/Ticker?pair=XBTEUR');
    assert.equal(kraken.parse(KRAKEN_TICKER, 'EUR'), 91290.1);
    assert.throws(() => kraken.parse(KRAKEN_ERROR, 'EUR'), /Kraken answered an error: EQuery:Unknown asset pair/);
    assert.throws(() => kraken.parse({ error: [], result: {} }, 'EUR'), /Kraken answered 0 pairs instead of one/);
  });

  it("CoinGecko: simple/price in the currency's lower-case key", () => {
    assert.equal(coingecko.url('GBP'), 'https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=gbp');
    assert.equal(coingecko.parse(COINGECKO_SIMPLE, 'GBP'), 75712);
    assert.throws(() => coingecko.parse(COINGECKO_SIMPLE, 'USD'), /CoinGecko answered no USD price/);
    assert.throws(() => coingecko.parse(COINGECKO_RATE_LIMIT, 'GBP'), /CoinGecko answered an unexpected shape \("bitcoin"/);
  });

  it('mempool.space: /api/v1/prices, one number per currency', () => {
    assert.equal(mempool.url('JPY'), 'https://mempool.space/api/v1/prices');
    assert.equal(mempool.parse(MEMPOOL_PRICES, 'JPY'), 14420770);
    assert.throws(() => mempool.parse({ time: 1733130004, USD: 'x' }, 'USD'), /mempool.space answered an unexpected shape/);
    assert.throws(() => mempool.parse({ time: 1733130004, USD: 96110 }, 'EUR'), /mempool.space answered no EUR price/);
  });
});
