import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amountFilter } from '../../../src/server/view-filters.js';

test('amounts are shown from integer satoshis, exactly, in the chosen unit', () => {
  assert.equal(amountFilter(123_456, 'btc'), '0.00123456 BTC');
  assert.equal(amountFilter(2_100_000_000_000_000, 'btc'), '21,000,000.00000000 BTC');
  assert.equal(amountFilter(-150_000, 'btc'), '−0.00150000 BTC');
  assert.equal(amountFilter(123_456, 'sat'), '123,456 sats');
  assert.equal(amountFilter(1, 'btc'), '0.00000001 BTC');
  assert.equal(amountFilter(null), '—');
});
