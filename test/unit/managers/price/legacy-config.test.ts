import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigManager, migrateLegacyPrice } from '../../../../src/managers/config/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';

describe("Specter Desktop's price settings", () => {
  it('split its provider names into a provider here and a currency', () => {
    assert.deepEqual(migrateLegacyPrice({ price_provider: 'bitstamp_eur' }), { price_provider: 'bitstamp', price_currency: 'EUR' });
    assert.deepEqual(migrateLegacyPrice({ price_provider: 'spotbit_bitstamp_usd' }), { price_provider: 'bitstamp', price_currency: 'USD' });
    assert.deepEqual(migrateLegacyPrice({ price_provider: 'coindesk_chf' }), { price_provider: 'coingecko', price_currency: 'CHF' });
    assert.deepEqual(migrateLegacyPrice({ price_provider: 'spotbit_gemini_gbp' }), { price_provider: 'coingecko', price_currency: 'GBP' });
    // Already ours, manual, or unknown: untouched.
    for (const raw of [{ price_provider: 'kraken', price_currency: 'USD' }, { price_provider: '' }, { price_provider: 'other' }, null]) {
      assert.deepEqual(migrateLegacyPrice(raw), raw);
    }
  });

  it('are read from a Specter config.json', async (t) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-legacy-price-'));
    t.after(() => fs.rm(dir, { recursive: true, force: true }));
    await fs.writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({ auth: { method: 'none' }, price_check: true, price_provider: 'bitstamp_gbp', alt_rate: 51234.5, alt_symbol: '£' }),
    );
    const config = new ConfigManager(dir, new JsonFileStore());
    await config.load();
    const v = config.values;
    assert.deepEqual([v.price_check, v.price_provider, v.price_currency, v.alt_symbol], [true, 'bitstamp', 'GBP', '£']);
  });
});
