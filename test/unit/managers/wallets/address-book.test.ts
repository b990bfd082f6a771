/**
 * The Addresses page's sorted orders are cached and patched after changes: after any mix of label
 * and usage changes and appended addresses, the patched order must equal a fresh full sort.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressBook, defaultLabel, type AddressSort } from '../../../../src/managers/wallets/address-book.js';

function book(n: number): AddressBook {
  const entry = (index: number) => ({ index, address: `addr${index}`, label: null, used: false, service_id: null });
  return new AddressBook({ receive: Array.from({ length: n }, (_, i) => entry(i)), change: [entry(0)] });
}

/** The order a full sort gives (what the page did before the cache). */
function fullSort(b: AddressBook, sort: AddressSort, dir: 'asc' | 'desc'): number[] {
  const sign = dir === 'asc' ? 1 : -1;
  const key = (i: number) => (sort === 'label' ? (b.receive[i]!.label ?? defaultLabel(false, i)).toLowerCase() : b.receive[i]!.used ? 1 : 0);
  return b.receive
    .map((_, i) => i)
    .sort((x, y) => {
      const kx = key(x);
      const ky = key(y);
      return (kx < ky ? -sign : kx > ky ? sign : 0) || x - y;
    });
}

test('a cached order patched after changes equals a fresh sort; a view without changes returns the cached order', () => {
  const b = book(500);
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const orders: Array<[AddressSort, 'asc' | 'desc']> = [
    ['label', 'asc'],
    ['label', 'desc'],
    ['used', 'asc'],
    ['used', 'desc'],
  ];
  for (const [sort, dir] of orders) assert.deepEqual(b.sortedIndexes(false, sort, dir), fullSort(b, sort, dir));
  for (let round = 0; round < 30; round++) {
    // A few changes per round (patched), and now and then many (sorted again), plus new addresses.
    const changes = round % 10 === 9 ? 400 : 1 + rand(5);
    for (let c = 0; c < changes; c++) {
      const i = rand(b.receive.length);
      const e = b.receive[i]!;
      if (rand(3) === 0) e.used = !e.used;
      else e.label = rand(4) === 0 ? null : ['Zeta', 'alpha', 'Alpha', 'm', 'Address #3'][rand(5)]!;
      b.touch(false, i);
    }
    if (round % 7 === 3) b.append(false, [`new${round}a`, `new${round}b`]);
    for (const [sort, dir] of orders) assert.deepEqual(b.sortedIndexes(false, sort, dir), fullSort(b, sort, dir), `round ${round} ${sort} ${dir}`);
  }
  const cached = b.sortedIndexes(false, 'label', 'asc');
  assert.equal(b.sortedIndexes(false, 'label', 'asc'), cached, 'no change: the same array, not a new sort');
});
