import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import type { Utxo } from '../../../src/managers/chain/index.js';
import { errorField, parseAmount, sendBody, sendRequest, sendValues } from '../../../src/server/routes/wallets/send-form.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const coin = (txid: string, vout: number, amount: number, frozen = false): Utxo => ({ txid, vout, address: 'x', amount, confirmations: 3, frozen });
const coins = [coin(A, 0, 30_000_000), coin(B, 1, 20_000_000), coin(C, 0, 5_000_000, true)];

function values(body: Record<string, unknown>) {
  return sendValues(sendBody.parse(body), 'btc');
}

function fieldOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    assert.ok(isSpecterError(err));
    return errorField(err);
  }
  assert.fail('expected an error');
}

describe('send form', () => {
  it('amounts: BTC through its decimal digits, sats as whole numbers', () => {
    assert.equal(parseAmount('0.29', 'btc', 0), 29_000_000);
    assert.equal(parseAmount('1', 'btc', 0), 100_000_000);
    assert.equal(parseAmount('.00000001', 'btc', 0), 1);
    assert.equal(parseAmount('20999999.99999999', 'btc', 0), 2_099_999_999_999_999);
    assert.equal(parseAmount('100,000', 'sat', 0), 100_000);
    assert.equal(
      fieldOf(() => parseAmount('1,5', 'btc', 2)),
      'recipients.2.amount',
    );
    assert.equal(
      fieldOf(() => parseAmount('0.123456789', 'btc', 0)),
      'recipients.0.amount',
    );
    assert.equal(
      fieldOf(() => parseAmount('1.5', 'sat', 1)),
      'recipients.1.amount',
    );
    assert.equal(
      fieldOf(() => parseAmount('', 'sat', 0)),
      'recipients.0.amount',
    );
  });

  it('rows line up by position, blank rows are dropped, subtract-fee indexes follow the kept rows', () => {
    const v = values({
      address: ['addr1', '', 'addr3'],
      amount: ['0.1', '', '0.0025'],
      label: ['Rent', '', ''],
      subtract_fee_from: '2',
      fee_rate: '2.5',
      rbf: 'yes',
      amount_unit: 'btc',
    });
    assert.equal(v.rows.length, 3);
    assert.equal(v.rbf, true);
    const r = sendRequest(v, coins, new Set());
    assert.deepEqual(r.recipients, [
      { address: 'addr1', amount: 10_000_000, label: 'Rent' },
      { address: 'addr3', amount: 250_000, label: undefined },
    ]);
    assert.deepEqual(r.subtract_fee_from, [1], 'the third row is the second recipient');
    assert.equal(r.fee_rate, 2.5);
    assert.equal(r.rbf, true);
    assert.equal(r.utxos, undefined, 'no coin control: the wallet chooses');
    assert.equal(values({ address: 'x', amount: '1' }).rbf, false, 'an unticked RBF box posts nothing');
  });

  it('send all: every coin neither frozen nor held (or the chosen ones) goes in; the row gets the rest and pays the fee', () => {
    const v = values({ address: ['one', 'two'], amount: ['0.1', ''], send_all: '1', fee_rate: '1', rbf: 'yes' });
    const held = new Set([`${B}:1`]);
    const r = sendRequest(v, coins, held);
    assert.deepEqual(r.utxos, [`${A}:0`]);
    assert.equal(r.recipients[1]!.amount, 20_000_000);
    assert.deepEqual(r.subtract_fee_from, [1]);
    const chosen = sendRequest({ ...v, utxos: [`${A}:0`, `${B}:1`] }, coins, new Set());
    assert.deepEqual(chosen.utxos, [`${A}:0`, `${B}:1`]);
    assert.equal(chosen.recipients[1]!.amount, 40_000_000);
    const twice = values({ address: ['one', 'two'], amount: ['', ''], send_all: ['0', '1'], fee_rate: '1' });
    assert.equal(
      fieldOf(() => sendRequest(twice, coins, new Set())),
      'recipients.1.amount',
    );
    assert.equal(
      fieldOf(() => sendRequest(values({ address: 'one', send_all: '0', fee_rate: '1' }), [coins[2]!], new Set())),
      'recipients.0.amount',
      'nothing to spend',
    );
  });

  it('a row without an address, and a form without any recipient, point at the address field', () => {
    assert.equal(
      fieldOf(() => sendRequest(values({ address: ['', ''], amount: ['', '0.1'], fee_rate: '1' }), coins, new Set())),
      'recipients.1.address',
    );
    assert.equal(
      fieldOf(() => sendRequest(values({ fee_rate: '1' }), coins, new Set())),
      'recipients.0.address',
    );
  });

  it('manager errors find their field by their details', () => {
    assert.equal(errorField({ key: 'PSBT_DUST', details: { index: 2 } }), 'recipients.2.amount');
    assert.equal(errorField({ key: 'PSBT_INVALID_ADDRESS', details: { index: 0 } }), 'recipients.0.address');
    assert.equal(errorField({ key: 'PSBT_FEE_RATE', details: { field: 'fee_rate' } }), 'fee_rate');
    assert.equal(errorField({ key: 'PSBT_INSUFFICIENT_FUNDS', details: {} }), null);
  });
});
