/**
 * The History's orders (history-sort.ts): amount and label either way, ties in date order, rows
 * without a label last, a bad page refused; an order is kept beside its date order (the same
 * array comes back) until a label it was sorted by changes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { sortHistory, type TxRecord } from '../../../../src/managers/chain/index.js';
import { checkPage } from '../../../../src/managers/chain/history-sort.js';

const row = (n: number, amount: number): TxRecord => ({
  txid: n.toString(16).padStart(64, '0'),
  category: amount > 0 ? 'receive' : 'send',
  amount,
  fee: null,
  blockhash: null,
  blockheight: 100 - n,
  time: 1_000_000 - n,
  conflicted: false,
  replaced_by: null,
  in_mempool: null,
  conflicts: [],
  addresses: [],
  outputs: [],
  inputs: [],
  coinbase: false,
});

// Newest first, as ChainService keeps them: rows 0 (newest) … 5 (oldest).
const byDate = [row(0, 500), row(1, -200), row(2, 500), row(3, 10), row(4, 7_000), row(5, -9)];
const names = (order: readonly TxRecord[]) => order.map((r) => Number.parseInt(r.txid, 16));

describe('sortHistory', () => {
  const labels = new Map<number, string | null>([
    [0, 'Address #10'],
    [1, null],
    [2, 'address #2'],
    [3, 'Rent'],
    [4, ''],
    [5, 'Address #2'],
  ]);
  const labelOf = (r: TxRecord) => labels.get(Number.parseInt(r.txid, 16)) ?? null;

  it('date: newest first by default, oldest first asc', () => {
    assert.equal(sortHistory(byDate, 'date', 'desc', labelOf), byDate, 'the default is the date order itself');
    assert.deepEqual(names(sortHistory(byDate, 'date', 'asc', labelOf)), [5, 4, 3, 2, 1, 0]);
  });

  it('amount: largest or smallest first, equal amounts newest first, and kept until the date order changes', () => {
    const desc = sortHistory(byDate, 'amount', 'desc', labelOf);
    assert.deepEqual(names(desc), [4, 0, 2, 3, 5, 1]);
    assert.deepEqual(names(sortHistory(byDate, 'amount', 'asc', labelOf)), [1, 5, 3, 0, 2, 4]);
    assert.equal(sortHistory(byDate, 'amount', 'desc', labelOf), desc, 'the same array: nothing sorted again');
    const changed = [row(9, 1_000_000), ...byDate];
    assert.deepEqual(names(sortHistory(changed, 'amount', 'desc', labelOf)).slice(0, 2), [9, 4], 'a new date order, a new order');
  });

  it('label: natural order, case-blind, ties newest first, no label last either way; sorted again when a label changes', () => {
    const asc = sortHistory(byDate, 'label', 'asc', labelOf);
    assert.deepEqual(names(asc), [2, 5, 0, 3, 1, 4]);
    assert.deepEqual(names(sortHistory(byDate, 'label', 'desc', labelOf)), [3, 0, 2, 5, 1, 4]);
    assert.equal(sortHistory(byDate, 'label', 'asc', labelOf), asc, 'same labels: the kept order');
    labels.set(4, 'Aaa');
    const relabelled = sortHistory(byDate, 'label', 'asc', labelOf);
    assert.notEqual(relabelled, asc);
    assert.deepEqual(names(relabelled), [4, 2, 5, 0, 3, 1]);
  });

  it('a page outside the limits is a VALIDATION error naming the field', () => {
    assert.deepEqual(checkPage({}), { from: 0, count: 50 });
    for (const [page, field] of [
      [{ from: -1 }, 'from'],
      [{ count: 1001 }, 'count'],
      [{ count: 1.5 }, 'count'],
    ] as const) {
      assert.throws(
        () => checkPage(page),
        (err: unknown) => isSpecterError(err, 'VALIDATION') && err.details.field === field,
      );
    }
  });
});
